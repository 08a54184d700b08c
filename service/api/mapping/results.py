"""Translation of what the ledger derives to sla.ledger.v1 messages: period events (closes,
breaches, credits, bonuses, recalculations) and compliance reports. Computed figures and money
are shown at the precision domain/display.py documents; the log keeps them exact."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.compliance import Status, TrackResult
from domain.compliance_report import ComplianceReport, ObjectiveCompliance
from domain.credit_caps import CreditCapped
from domain.display import shown, shown_money, shown_policy_line
from domain.money import Money
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodEvent,
    PeriodRecalculated,
    TerminationRightGranted,
    TrackFigures,
)
from service.api.mapping.claims import CLAIM_EVENTS, claim_event_into_proto, money_into_proto
from service.api.mapping.credit_caps import capped_into_proto
from service.api.mapping.rules import INDICATOR_TO_PROTO
from service.generated.sla.ledger.v1 import compliance_pb2, events_pb2, terms_pb2

STATUS_TO_PROTO = {
    Status.MET: compliance_pb2.COMPLIANCE_STATUS_MET,
    Status.AT_RISK: compliance_pb2.COMPLIANCE_STATUS_AT_RISK,
    Status.BREACHED: compliance_pb2.COMPLIANCE_STATUS_BREACHED,
    Status.NO_DATA: compliance_pb2.COMPLIANCE_STATUS_NO_DATA,
}
# Stored period events and credit lines hold their status and kind as strings.
STATUS_NAME_TO_PROTO = {status.value: code for status, code in STATUS_TO_PROTO.items()}
CREDIT_KIND_TO_PROTO = {
    "credit_issued": compliance_pb2.CREDIT_KIND_CREDIT_ISSUED,
    "credit_adjusted": compliance_pb2.CREDIT_KIND_CREDIT_ADJUSTED,
    "bonus_earned": compliance_pb2.CREDIT_KIND_BONUS_EARNED,
    "bonus_adjusted": compliance_pb2.CREDIT_KIND_BONUS_ADJUSTED,
    "credit_capped": compliance_pb2.CREDIT_KIND_CREDIT_CAPPED,
}


def _money(value: Money, m: terms_pb2.Money) -> None:
    m.currency_code = value.currency
    m.amount = str(shown_money(value).amount)


def _shown(value: Decimal | None) -> str:
    """A computed figure as replies show it (domain/display.py); empty for None."""
    return "" if value is None else str(shown(value))


def _figures(figures: Any, target: Any) -> None:
    for f in figures:
        assert isinstance(f, TrackFigures)
        target.add(
            track=f.track,
            attained=_shown(f.attained),
            target=str(f.target),
            good=_shown(f.good),
            total=_shown(f.total),
            bad=_shown(f.bad),
            readings=f.readings,
            excluded=f.excluded,
            budget_remaining_percent=_shown(f.budget_remaining_percent),
            status=f.status,
            compliance_status=STATUS_NAME_TO_PROTO.get(f.status),
        )


def period_event_into_proto(event: PeriodEvent, message: events_pb2.LedgerEvent) -> None:
    """Write a period event into the payload of a LedgerEvent."""
    common: dict[str, Any] = {
        "objective_id": event.objective_id,
        "period_label": event.period_label,
        "customer_id": event.customer_id,
    }
    if isinstance(event, PeriodClosed):
        closed = message.period_closed
        closed.MergeFrom(
            events_pb2.PeriodClosed(
                **common,
                terms_version=event.terms_version,
                status=event.status,
                compliance_status=STATUS_NAME_TO_PROTO.get(event.status),
                tier_id=event.tier_id,
            )
        )
        closed.window_start.FromDatetime(event.window_start)
        closed.window_end.FromDatetime(event.window_end)
        _figures(event.figures, closed.figures)
        _money(event.period_fee, closed.period_fee)
        if event.claim_deadline is not None:
            closed.claim_deadline.FromDatetime(event.claim_deadline)
        if event.claim_minimum is not None:
            money_into_proto(event.claim_minimum, closed.claim_minimum)
    elif isinstance(event, BreachDetected):
        message.breach_detected.MergeFrom(
            events_pb2.BreachDetected(
                **common,
                track=event.track,
                attained=_shown(event.attained),
                target=str(event.target),
                terms_version=event.terms_version,
            )
        )
    elif isinstance(event, BreachRetracted):
        message.breach_retracted.MergeFrom(
            events_pb2.BreachRetracted(**common, track=event.track, reason=event.reason)
        )
    elif isinstance(event, CreditIssued):
        issued = message.credit_issued
        issued.MergeFrom(
            events_pb2.CreditIssued(
                **common,
                percent_of_fee=_shown(event.percent_of_fee),
                policy_line=shown_policy_line(event.policy_line),
                capped=event.capped,
            )
        )
        _money(event.amount, issued.amount)
        _money(event.period_fee, issued.period_fee)
    elif isinstance(event, BonusEarned):
        earned = message.bonus_earned
        earned.MergeFrom(
            events_pb2.BonusEarned(
                **common,
                percent_of_fee=_shown(event.percent_of_fee),
                policy_line=shown_policy_line(event.policy_line),
            )
        )
        _money(event.amount, earned.amount)
        _money(event.period_fee, earned.period_fee)
    elif isinstance(event, CreditAdjusted | BonusAdjusted):
        adjusted = (
            message.credit_adjusted if isinstance(event, CreditAdjusted) else message.bonus_adjusted
        )
        adjusted.objective_id = event.objective_id
        adjusted.period_label = event.period_label
        adjusted.customer_id = event.customer_id
        adjusted.policy_line = shown_policy_line(event.policy_line)
        _money(event.before, adjusted.before)
        _money(event.after, adjusted.after)
        _money(event.delta, adjusted.delta)
    elif isinstance(event, PeriodRecalculated):
        recalculated = message.period_recalculated
        recalculated.MergeFrom(
            events_pb2.PeriodRecalculated(
                **common,
                status_before=event.status_before,
                status_after=event.status_after,
                compliance_status_before=STATUS_NAME_TO_PROTO.get(event.status_before),
                compliance_status_after=STATUS_NAME_TO_PROTO.get(event.status_after),
            )
        )
        _figures(event.before, recalculated.before)
        _figures(event.after, recalculated.after)
    elif isinstance(event, TerminationRightGranted):
        message.termination_right_granted.MergeFrom(
            events_pb2.TerminationRightGranted(
                **common,
                consecutive_breaches=event.consecutive_breaches,
                first_period_label=event.first_period_label,
            )
        )
    elif isinstance(event, CreditCapped):
        capped_into_proto(event, message)
    elif isinstance(event, CLAIM_EVENTS):
        claim_event_into_proto(event, message)
    else:  # pragma: no cover - every period event type is mapped above
        raise TypeError(f"no public schema for {type(event).__name__}")


def _track_into_proto(track: TrackResult, out: compliance_pb2.TrackCompliance) -> None:
    out.track = track.track.value
    out.indicator = INDICATOR_TO_PROTO[track.indicator]
    out.final = track.final
    out.attained = _shown(track.attained)
    out.target = str(track.target)
    out.good = _shown(track.good)
    out.total = _shown(track.total)
    out.bad = _shown(track.bad)
    out.readings = track.readings
    out.excluded = track.excluded
    out.budget_remaining_percent = _shown(track.budget_remaining_percent)
    out.target_line = _shown(track.target_line)
    out.status = STATUS_TO_PROTO[track.status]


def _objective_into_proto(
    objective: ObjectiveCompliance, out: compliance_pb2.ObjectiveCompliance
) -> None:
    out.objective_id = objective.objective_id
    out.period_label = objective.period_label
    out.terms_version = objective.terms_version
    if objective.window_start is not None and objective.window_end is not None:
        out.window_start.FromDatetime(objective.window_start)
        out.window_end.FromDatetime(objective.window_end)
    out.status = STATUS_TO_PROTO[objective.status]
    for track in objective.tracks:
        _track_into_proto(track, out.tracks.add())


def report_to_proto(report: ComplianceReport) -> compliance_pb2.ComplianceReport:
    """The message of a compliance report."""
    out = compliance_pb2.ComplianceReport(
        agreement_id=report.agreement_id, terms_version=report.terms_version
    )
    out.as_of.FromDatetime(report.as_of)
    out.known_at.FromDatetime(report.known_at)
    for objective in report.objectives:
        _objective_into_proto(objective, out.objectives.add())
    for breach in report.breaches:
        entry = out.breaches.add(
            objective_id=breach.objective_id,
            period_label=breach.period_label,
            track=breach.track,
            attained=_shown(breach.attained),
            target=str(breach.target),
            terms_version=breach.terms_version,
            retracted=breach.retracted,
        )
        entry.recorded_at.FromDatetime(breach.recorded_at)
    for credit in report.credits:
        line = out.credits.add(
            objective_id=credit.objective_id,
            period_label=credit.period_label,
            kind=credit.kind,
            credit_kind=CREDIT_KIND_TO_PROTO.get(credit.kind),
            policy_line=shown_policy_line(credit.policy_line),
        )
        _money(credit.amount, line.amount)
        line.recorded_at.FromDatetime(credit.recorded_at)
    totals: Mapping[tuple[str, str], Money] = report.credit_totals()
    for (family, _currency), amount in sorted(totals.items()):
        target = out.credit_totals if family == "credit" else out.bonus_totals
        _money(amount, target.add())
    for right in report.termination_rights:
        entry_right = out.termination_rights.add(
            objective_id=right.objective_id,
            period_label=right.period_label,
            consecutive_breaches=right.consecutive_breaches,
        )
        entry_right.recorded_at.FromDatetime(right.recorded_at)
    return out
