"""The pages of one objective-period: its standing, closed result, exclusions, burn-up chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
from flask import Flask, render_template, request

from portal import reads
from portal.agreement_pages import Subject, listing_customer, read_agreement, subject_of
from portal.burn_up import burn_up_chart, chart_rows
from portal.errors import PageNotFoundError, about_agreement, rpc_code, rpc_details
from portal.formatting import instant
from portal.page_context import ledger, travel
from portal.period_labels import period_window
from portal.time_travel import BadQueryError, TimeTravel, timestamp
from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    compliance_series_pb2,
    exclusion_acknowledgements_pb2,
    period_history_pb2,
    terms_pb2,
)

_MICROSECOND = timedelta(microseconds=1)
_SEARCH_MARGIN = timedelta(days=2)
# What the ledger answers for an objective it keeps no series of (a case objective).
NO_SERIES = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION})


def objectives_of(agreement: terms_pb2.Agreement, subject: Subject) -> list[terms_pb2.Objective]:
    """The objectives of the terms in force (a service SLA's tier's, or every tier's)."""
    if not agreement.terms.tiers:
        return list(agreement.terms.objectives)
    tiers = [
        t for t in agreement.terms.tiers if not subject.tier_id or t.tier_id == subject.tier_id
    ]
    seen: dict[str, terms_pb2.Objective] = {}
    for tier in tiers:
        for objective in tier.objectives:
            seen.setdefault(objective.objective_id, objective)
    return list(seen.values())


def checked_objective(
    agreement: terms_pb2.Agreement, subject: Subject, objective_id: str
) -> terms_pb2.Objective:
    """The objective of that id in the terms in force; "not found" otherwise."""
    for objective in objectives_of(agreement, subject):
        if objective.objective_id == objective_id:
            return objective
    raise PageNotFoundError(f"objective {objective_id} in agreement {agreement.agreement_id}")


def closed_result(
    agreement: terms_pb2.Agreement,
    subject: Subject,
    objective_id: str,
    label: str,
    window: tuple[datetime, datetime],
    when: TimeTravel,
) -> period_history_pb2.PeriodResult | None:
    """The period's closed result known at known_at, None when not closed."""
    with about_agreement(agreement.agreement_id):
        found = reads.period_results(
            ledger(),
            agreement.agreement_id,
            when,
            objective_id=objective_id,
            customer_id=listing_customer(agreement, subject),
            window_start_from=window[0] - _SEARCH_MARGIN,
            window_start_to=window[0] + _SEARCH_MARGIN,
        )
    return next((p for p in found if p.period_label == label), None)


def standing_in(
    agreement: terms_pb2.Agreement,
    subject: Subject,
    objective_id: str,
    label: str,
    window: tuple[datetime, datetime],
    when: TimeTravel,
) -> compliance_pb2.ObjectiveCompliance | None:
    """The objective's standing at as_of (or at the period's end), None before it starts."""
    asked = when.as_of or datetime.now(UTC)
    probe = min(asked, window[1] - _MICROSECOND)
    if probe < window[0]:
        return None
    with about_agreement(agreement.agreement_id):
        report = reads.get_compliance(
            ledger(),
            agreement.agreement_id,
            probe,
            when.known_at,
            objective_id=objective_id,
            customer_id=subject.customer_id,
            tier_id=subject.tier_id,
        ).report
    return next(
        (
            o
            for o in report.objectives
            if o.period_label == label and o.objective_id == objective_id
        ),
        None,
    )


def exclusions_in(
    exclusions: list[exclusion_acknowledgements_pb2.RecordedExclusion],
    objective_id: str,
    window: tuple[datetime, datetime],
) -> list[exclusion_acknowledgements_pb2.RecordedExclusion]:
    """The exclusions covering the objective that overlap the window."""
    kept = []
    for recorded in exclusions:
        exclusion = recorded.exclusion
        start, end = instant(exclusion.start), instant(exclusion.end)
        if start is None or end is None or end <= window[0] or start >= window[1]:
            continue
        if exclusion.objective_ids and objective_id not in exclusion.objective_ids:
            continue
        kept.append(recorded)
    return kept


def window_of(agreement: terms_pb2.Agreement, label: str) -> tuple[datetime, datetime]:
    """The window a label names in the agreement's zone; "not found" for a bad label."""
    try:
        return period_window(label, agreement.terms.time_zone)
    except ValueError:
        raise PageNotFoundError(f"period {label}") from None


def series_of(
    agreement: terms_pb2.Agreement,
    subject: Subject,
    objective_id: str,
    period_at: datetime | None,
    when: TimeTravel,
) -> tuple[compliance_series_pb2.GetComplianceSeriesResponse | None, str]:
    """The objective's series through the period holding period_at (or as_of), or why none."""
    request = compliance_series_pb2.GetComplianceSeriesRequest(
        agreement_id=agreement.agreement_id,
        objective_id=objective_id,
        period_at=None if period_at is None else timestamp(period_at),
        as_of=when.as_of_stamp(),
        known_at=when.known_at_stamp(),
        step=compliance_series_pb2.SERIES_STEP_DAY,
        customer_id=subject.customer_id,
        tier_id=subject.tier_id,
    )
    try:
        with about_agreement(agreement.agreement_id):
            return reads.compliance_series(ledger(), request), ""
    except grpc.RpcError as error:
        if rpc_code(error) in NO_SERIES:
            return None, rpc_details(error) or "The ledger keeps no series of this objective."
        raise


def register(app: Flask) -> None:
    """The period and chart pages."""

    @app.get("/agreements/<agreement_id>/objectives/<objective_id>/periods/<label>")
    def period(agreement_id: str, objective_id: str, label: str) -> str:
        when = travel()
        answer = read_agreement(agreement_id, when)
        agreement = answer.agreement
        subject = subject_of(agreement)
        objective = checked_objective(agreement, subject, objective_id)
        window = window_of(agreement, label)
        result = closed_result(agreement, subject, objective_id, label, window, when)
        if result is not None:
            window = (
                instant(result.window_start) or window[0],
                instant(result.window_end) or window[1],
            )
        return render_template(
            "period.html",
            title=f"{agreement_id} · {objective_id} · {label}",
            agreement=agreement,
            objective=objective,
            subject=subject,
            label=label,
            window=window,
            result=result,
            standing=standing_in(agreement, subject, objective_id, label, window, when),
            period_over=(when.as_of or datetime.now(UTC)) >= window[1],
            exclusions=exclusions_in(list(answer.exclusions), objective_id, window),
            customer=listing_customer(agreement, subject),
        )

    @app.get("/agreements/<agreement_id>/objectives/<objective_id>/chart")
    def chart(agreement_id: str, objective_id: str) -> str:
        when = travel()
        answer = read_agreement(agreement_id, when)
        agreement = answer.agreement
        subject = subject_of(agreement)
        objective = checked_objective(agreement, subject, objective_id)
        label, period_at = reads_label(agreement)
        series, no_series = series_of(agreement, subject, objective_id, period_at, when)
        tracks = [] if series is None else list(series.tracks)
        asked = when.as_of or datetime.now(UTC)
        drawn = [(track, chart_rows(track, agreement.terms.time_zone, asked)) for track in tracks]
        svgs = (
            []
            if series is None
            else [burn_up_chart(series, track, rows, n) for n, (track, rows) in enumerate(drawn)]
        )
        return render_template(
            "chart.html",
            title=f"Burn-up · {agreement_id} · {objective_id}",
            agreement=agreement,
            objective=objective,
            subject=subject,
            series=series,
            tracks=drawn,
            svgs=svgs,
            no_series=no_series,
            label=label or (series.period_label if series is not None else ""),
        )


def reads_label(agreement: terms_pb2.Agreement) -> tuple[str, datetime | None]:
    """The ?period= label of a chart page and its start ("", None: the period holding as_of)."""
    label = request.args.get("period", "").strip()
    if not label:
        return "", None
    try:
        start, end = period_window(label, agreement.terms.time_zone)
        return label, start + (end - start) / 2  # mid-period: clear of any DST edge
    except ValueError:
        raise BadQueryError(
            "period", "a period label such as 2026-03, 2026-W13, 2026-Q1 or 2026-03-29"
        ) from None
