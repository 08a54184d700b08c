"""Gathering a statement from the ledger over its gRPC API, at one digest.

First GetLedgerDigest: the statement reflects that digest, so every read that follows is made
known at the digest's record time (or at an earlier known_at the caller asks for) and waits for
the read models to reach its position. Then, per agreement: GetAgreement (terms, exclusions),
GetCompliance (the period's standing, or its closed result), GetComplianceSeries (the burn-up),
ListPeriodResults (breaches, credits with their state, the attainment of past periods) and
ListEvents of the money lifecycle's types (claims, decisions, forfeits, settlements). A
customer's statement lists its agreements with ListAgreements first.

gRPC errors (NOT_FOUND for an unknown or foreign agreement, PERMISSION_DENIED, UNAVAILABLE, ...)
propagate as grpc.RpcError; what the ledger holds but cannot make a statement of is a
StatementError with a message for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import grpc

from reports import statement_mapping as mapped
from reports.connection import LedgerConnection
from reports.period_labels import label_probe, label_unit
from reports.statement import (
    AgreementStatement,
    Breach,
    Claim,
    Credit,
    Exclusion,
    LedgerDigest,
    ObjectiveStatement,
    Statement,
    StatementError,
)
from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    compliance_series_pb2,
    discovery_pb2,
    period_history_pb2,
    terms_pb2,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

MICROSECOND = timedelta(microseconds=1)
HISTORY_PERIODS = 12  # past periods in the attainment chart, this one included
MONEY_EVENT_TYPES = ("credit_claimed", "claim_decided", "credit_forfeited", "credit_settled")
MAX_PAGES = 1000  # a guard: no listing a statement makes needs more
NO_SERIES = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION})


@dataclass(frozen=True)
class StatementRequest:
    """Which statement: an agreement's or a customer's, for one period label."""

    period_label: str  # "2026-03-29", "2026-W13", "2026-03" or "2026-Q1"
    agreement_id: str = ""
    customer_id: str = ""  # required for a service SLA (its subscriber) and without agreement
    objective_id: str = ""  # only this objective
    as_of: datetime | None = None  # business instant; None: each period's end
    known_at: datetime | None = None  # record instant; None or later: the digest's


def read_statement(connection: LedgerConnection, request: StatementRequest) -> Statement:
    """The statement asked for, as the ledger knew it at its digest (or earlier known_at)."""
    label_unit(request.period_label)  # a StatementError for a label of no unit
    if not request.agreement_id and not request.customer_id:
        raise StatementError("a statement names an agreement or a customer")
    reads = _Reads(connection, _digest(connection))
    known_at = reads.known_at(request.known_at)
    if request.agreement_id:
        sections = [reads.agreement(request, request.agreement_id, known_at, required=True)]
        title = f"Statement of {request.agreement_id} for {request.period_label}"
        if request.customer_id:
            title = f"{title}, customer {request.customer_id}"
    else:
        sections = [
            reads.agreement(request, agreement_id, known_at, required=False)
            for agreement_id in reads.customer_agreements(request, known_at)
        ]
        title = f"Statement of customer {request.customer_id} for {request.period_label}"
    found = tuple(section for section, _ in sections if section is not None)
    ends = [end for section, end in sections if section is not None]
    as_of = request.as_of or (max(ends) if ends else known_at)
    return Statement(title, request.period_label, as_of, known_at, reads.digest, found)


def _digest(connection: LedgerConnection) -> LedgerDigest:
    reply = connection.stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=connection.timeout)
    recorded_at = mapped.optional_instant(reply, "recorded_at")
    if recorded_at is None:
        raise StatementError("the ledger is empty: there is nothing to state")
    return LedgerDigest(reply.digest.log_position, reply.digest.sha256_hex, recorded_at)


class _Reads:
    """The reads of one statement, all at one digest."""

    def __init__(self, connection: LedgerConnection, digest: LedgerDigest) -> None:
        self._connection = connection
        self._call = {"timeout": connection.timeout}
        self.digest = digest

    def known_at(self, asked: datetime | None) -> datetime:
        """The record instant of every read: the digest's, or an earlier one asked for."""
        assert self.digest.recorded_at is not None
        if asked is None or asked >= self.digest.recorded_at:
            return self.digest.recorded_at
        return asked

    def customer_agreements(self, request: StatementRequest, known_at: datetime) -> list[str]:
        """The ids of the agreements binding the customer in the period (ListAgreements)."""
        found: list[str] = []
        listing = discovery_pb2.ListAgreementsRequest(
            customer_id=request.customer_id,
            page_size=1000,
            min_log_position=self.digest.position,
        )
        listing.as_of.FromDatetime(request.as_of or label_probe(request.period_label, "UTC"))
        listing.known_at.FromDatetime(known_at)
        for _ in range(MAX_PAGES):
            page = self._connection.stub.ListAgreements(listing, **self._call)
            found.extend(summary.agreement_id for summary in page.agreements)
            if not page.next_page_token:
                return found
            listing.page_token = page.next_page_token
        raise StatementError(f"customer {request.customer_id} has too many agreements")

    def agreement(
        self, request: StatementRequest, agreement_id: str, known_at: datetime, required: bool
    ) -> tuple[AgreementStatement | None, datetime]:
        """One agreement's section and the business instant it stands at; None (when not
        required) for an agreement without an objective of the period's unit."""
        first = self._agreement(agreement_id, known_at, known_at).agreement
        customer_id = self._customer(first, request.customer_id, agreement_id)
        service_sla = first.terms.kind == terms_pb2.AGREEMENT_KIND_SERVICE_BASED
        scope = customer_id if service_sla else ""
        probe = label_probe(request.period_label, first.terms.time_zone or "UTC")
        probed = self._compliance(agreement_id, request.objective_id, probe, known_at, scope)
        chosen = [o for o in probed.objectives if o.period_label == request.period_label]
        if not chosen:
            if required:
                label = request.period_label
                raise StatementError(f"agreement {agreement_id} has no objective of period {label}")
            return None, known_at
        windows = [(mapped.instant(o.window_start), mapped.instant(o.window_end)) for o in chosen]
        as_of, standing_at = _instants(request.as_of, windows, known_at)
        stood = self._compliance(agreement_id, request.objective_id, standing_at, known_at, scope)
        by_id = {o.objective_id: o for o in stood.objectives}
        at = self._agreement(agreement_id, standing_at, known_at)
        window_end = max(end for _, end in windows)
        # ListPeriodResults names the customer always: a customer token must name its own.
        results = self._period_results(
            agreement_id, customer_id, request.objective_id, window_end, known_at
        )
        objectives = []
        breaches: list[Breach] = []
        credits: list[Credit] = []
        for probed_objective in chosen:
            objective = by_id.get(probed_objective.objective_id, probed_objective)
            mine = [r for r in results if r.objective_id == objective.objective_id]
            for result in mine:
                if result.period_label == request.period_label:
                    breaches.extend(mapped.breaches(result))
                    credits.extend(mapped.credits(result))
            series = self._series(agreement_id, objective, as_of, known_at, scope)
            shown = _objective(objective, at.agreement, series, mine[-HISTORY_PERIODS:], first)
            objectives.append(replace(shown, ended=as_of >= mapped.instant(objective.window_end)))
        claims = self._claims(agreement_id, chosen, request.period_label, customer_id, known_at)
        section = AgreementStatement(
            agreement=mapped.agreement_summary(at.agreement),
            customer_id=customer_id,
            objectives=tuple(objectives),
            breaches=tuple(breaches),
            credits=tuple(credits),
            claims=tuple(claims),
            exclusions=tuple(_exclusions(at, windows, customer_id)),
            credit_totals=mapped.totals(credits, mapped.CREDIT_KINDS),
            bonus_totals=mapped.totals(credits, mapped.BONUS_KINDS),
        )
        return section, as_of

    def _customer(self, agreement: terms_pb2.Agreement, asked: str, agreement_id: str) -> str:
        if agreement.terms.kind == terms_pb2.AGREEMENT_KIND_SERVICE_BASED:
            if not asked:
                raise StatementError(
                    f"{agreement_id} is a service SLA: its statement names a subscriber "
                    "(a customer)"
                )
            return asked
        own = agreement.terms.customer.party_id
        if asked and asked != own:
            raise StatementError(f"agreement {agreement_id} does not bind customer {asked}")
        return own

    def _agreement(
        self, agreement_id: str, as_of: datetime, known_at: datetime
    ) -> pb.GetAgreementResponse:
        asked = pb.GetAgreementRequest(agreement_id=agreement_id)
        asked.as_of.FromDatetime(as_of)
        asked.known_at.FromDatetime(known_at)
        reply: pb.GetAgreementResponse = self._connection.stub.GetAgreement(asked, **self._call)
        return reply

    def _compliance(
        self, agreement_id: str, objective_id: str, as_of: datetime, known_at: datetime, scope: str
    ) -> compliance_pb2.ComplianceReport:
        asked = pb.GetComplianceRequest(
            agreement_id=agreement_id,
            objective_id=objective_id,
            customer_id=scope,
            min_log_position=self.digest.position,
        )
        asked.as_of.FromDatetime(as_of)
        asked.known_at.FromDatetime(known_at)
        reply = self._connection.stub.GetCompliance(asked, **self._call)
        report: compliance_pb2.ComplianceReport = reply.report
        return report

    def _series(
        self,
        agreement_id: str,
        objective: compliance_pb2.ObjectiveCompliance,
        as_of: datetime,
        known_at: datetime,
        scope: str,
    ) -> compliance_series_pb2.GetComplianceSeriesResponse | None:
        asked = compliance_series_pb2.GetComplianceSeriesRequest(
            agreement_id=agreement_id,
            objective_id=objective.objective_id,
            step=compliance_series_pb2.SERIES_STEP_DAY,
            customer_id=scope,
            min_log_position=self.digest.position,
        )
        asked.period_at.CopyFrom(objective.window_start)
        asked.as_of.FromDatetime(max(as_of, mapped.instant(objective.window_start)))
        asked.known_at.FromDatetime(known_at)
        try:
            reply: compliance_series_pb2.GetComplianceSeriesResponse = (
                self._connection.stub.GetComplianceSeries(asked, **self._call)
            )
        except grpc.RpcError as refused:
            if refused.code() in NO_SERIES:  # e.g. a case objective: no burn-up to draw
                return None
            raise
        return reply

    def _period_results(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        window_end: datetime,
        known_at: datetime,
    ) -> list[period_history_pb2.PeriodResult]:
        asked = period_history_pb2.ListPeriodResultsRequest(
            agreement_id=agreement_id,
            customer_id=customer_id,
            objective_id=objective_id,
            page_size=500,
            min_log_position=self.digest.position,
        )
        asked.known_at.FromDatetime(known_at)
        asked.window_start_to.FromDatetime(window_end)
        found: list[period_history_pb2.PeriodResult] = []
        for page in self._pages(self._connection.stub.ListPeriodResults, asked):
            found.extend(page.periods)
        return found

    def _claims(
        self,
        agreement_id: str,
        chosen: list[compliance_pb2.ObjectiveCompliance],
        label: str,
        customer_id: str,
        known_at: datetime,
    ) -> Iterator[Claim]:
        objectives = {o.objective_id for o in chosen}
        asked = pb.ListEventsRequest(
            agreement_id=agreement_id, page_size=1000, event_types=MONEY_EVENT_TYPES
        )
        asked.recorded_to.FromDatetime(known_at + MICROSECOND)
        for page in self._pages(self._connection.stub.ListEvents, asked):
            for event in page.events:
                if event.position > self.digest.position:
                    continue
                step = mapped.claim(event)
                if (
                    step is not None
                    and step.objective_id in objectives
                    and step.period_label == label
                    and mapped.claim_customer(event) in ("", customer_id)
                ):
                    yield step

    def _pages(self, call: Callable[..., Any], asked: Any) -> Iterator[Any]:
        for _ in range(MAX_PAGES):
            page = call(asked, **self._call)
            yield page
            token = page.next_page_token
            if not token:  # a page may be empty yet followed by more: only the token tells
                return
            asked.page_token = token
        raise StatementError("a listing of the statement has too many pages")


def _instants(
    asked: datetime | None, windows: list[tuple[datetime, datetime]], known_at: datetime
) -> tuple[datetime, datetime]:
    """The business instant the statement stands at, and the one its standing is read at.

    Asked: that instant, up to the period's end. Else the period's end, or known_at for a
    period that had not ended by then. The standing is read at the period's last microsecond at
    the latest: GetCompliance judges the period holding as_of, and the end (exclusive) belongs to
    the next one; a closed period's final result comes with it (ObjectiveCompliance.closed)."""
    start = min(begin for begin, _ in windows)
    end = max(finish for _, finish in windows)
    if asked is not None and asked < start:
        raise StatementError(f"--as-of {asked.isoformat()} is before the period's start")
    as_of = min(asked, end) if asked is not None else min(end, known_at)
    return as_of, min(as_of, end - MICROSECOND)


def _objective(
    report: compliance_pb2.ObjectiveCompliance,
    agreement: terms_pb2.Agreement,
    series: compliance_series_pb2.GetComplianceSeriesResponse | None,
    results: list[period_history_pb2.PeriodResult],
    first: terms_pb2.Agreement,
) -> ObjectiveStatement:
    closed = report.HasField("closed")
    tracks = mapped.tracks(report.closed.tracks if closed else report.tracks)
    first_terms = first.terms
    every = (*agreement.terms.objectives, *first_terms.objectives)
    every += tuple(
        o for tier in (*agreement.terms.tiers, *first_terms.tiers) for o in tier.objectives
    )
    terms = {o.objective_id: o for o in reversed(every)}
    time_zone = agreement.terms.time_zone or first_terms.time_zone or "UTC"
    description = terms[report.objective_id].description if report.objective_id in terms else ""
    return ObjectiveStatement(
        objective_id=report.objective_id,
        description=description,
        indicator=tracks[0].indicator if tracks else "",
        period_label=report.period_label,
        window_start=mapped.optional_instant(report, "window_start"),
        window_end=mapped.optional_instant(report, "window_end"),
        terms_version=report.closed.terms_version if closed else report.terms_version,
        status=mapped.status_word(report.closed.status if closed else report.status),
        closed=closed,
        recalculations=report.closed.recalculations if closed else 0,
        tracks=tracks,
        burn_up=mapped.burn_ups(series, time_zone) if series is not None else (),
        history=mapped.history(results),
    )


def _exclusions(
    reply: pb.GetAgreementResponse, windows: list[tuple[datetime, datetime]], customer_id: str
) -> Iterator[Exclusion]:
    for recorded in reply.exclusions:
        exclusion = mapped.exclusion(recorded)
        whose = recorded.exclusion.customer_id
        touches = any(exclusion.start < end and exclusion.end > start for start, end in windows)
        if touches and whose in ("", customer_id):
            yield exclusion
