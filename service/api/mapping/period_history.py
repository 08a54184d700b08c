"""Translation of closed periods' results (domain/period_history.py) to sla.ledger.v1: a
ListPeriodResults PeriodResult, and GetCompliance's ObjectiveCompliance.closed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from google.protobuf.internal.containers import RepeatedCompositeFieldContainer

from domain.display import shown, shown_money, shown_policy_line
from domain.money import Money
from domain.objectives import Indicator
from domain.period_entries import BreachEntry, CreditEntry
from domain.period_history import ClosedResult, PeriodOutcome
from domain.period_results import TrackFigures
from service.api.mapping.credit_states import credit_state_to_proto
from service.api.mapping.results import CREDIT_KIND_TO_PROTO, STATUS_NAME_TO_PROTO
from service.api.mapping.rules import INDICATOR_TO_PROTO
from service.generated.sla.ledger.v1 import compliance_pb2, terms_pb2
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb


def _shown(value: Decimal | None) -> str:
    return "" if value is None else str(shown(value))


def _status(name: str) -> compliance_pb2.ComplianceStatus:
    return STATUS_NAME_TO_PROTO.get(name, compliance_pb2.COMPLIANCE_STATUS_UNSPECIFIED)


def _money(value: Money, out: terms_pb2.Money) -> None:
    out.currency_code = value.currency
    out.amount = str(shown_money(value).amount)


def tracks_into_proto(
    figures: Iterable[TrackFigures],
    indicator: Indicator,
    out: RepeatedCompositeFieldContainer[compliance_pb2.TrackCompliance],
) -> None:
    """A closed period's stored figures as final TrackCompliance (the target line of a
    cumulative objective is its target: the whole period has elapsed)."""
    for f in figures:
        out.add(
            track=f.track,
            indicator=INDICATOR_TO_PROTO[indicator],
            final=True,
            attained=_shown(f.attained),
            target=str(f.target),
            good=_shown(f.good),
            total=_shown(f.total),
            bad=_shown(f.bad),
            readings=f.readings,
            excluded=f.excluded,
            budget_remaining_percent=_shown(f.budget_remaining_percent),
            target_line=str(f.target) if indicator is Indicator.CUMULATIVE else "",
            status=_status(f.status),
        )


def closed_into_proto(
    closed: ClosedResult, position: int, out: compliance_pb2.ClosedPeriod
) -> None:
    """GetCompliance's short closed result; position is the close's log position."""
    out.status = STATUS_NAME_TO_PROTO.get(
        closed.status, compliance_pb2.COMPLIANCE_STATUS_UNSPECIFIED
    )
    tracks_into_proto(closed.figures, closed.indicator, out.tracks)
    out.closed_at.FromDatetime(closed.closed_at)
    out.closed_position = position
    out.terms_version = closed.terms_version
    out.recalculations = closed.recalculations


def _breach_into_proto(breach: BreachEntry, out: compliance_pb2.Breach) -> None:
    out.objective_id = breach.objective_id
    out.period_label = breach.period_label
    out.track = breach.track
    out.attained = _shown(breach.attained)
    out.target = str(breach.target)
    out.terms_version = breach.terms_version
    out.recorded_at.FromDatetime(breach.recorded_at)
    out.retracted = breach.retracted


def _line_into_proto(line: CreditEntry, out: compliance_pb2.CreditLine) -> None:
    out.objective_id = line.objective_id
    out.period_label = line.period_label
    out.kind = line.kind
    out.credit_kind = CREDIT_KIND_TO_PROTO.get(line.kind, compliance_pb2.CREDIT_KIND_UNSPECIFIED)
    _money(line.amount, out.amount)
    out.policy_line = shown_policy_line(line.policy_line)
    out.recorded_at.FromDatetime(line.recorded_at)


def outcome_to_proto(
    outcome: PeriodOutcome,
    customer_id: str,
    indicator: Indicator,
    open_dispute_ids: Sequence[str],
) -> history_pb.PeriodResult:
    """A PeriodResult: the period's result as folded, for customer_id (the agreement's customer
    or the subscriber), its tracks judged by indicator."""
    out = history_pb.PeriodResult(
        agreement_id=outcome.agreement_id,
        customer_id=customer_id,
        objective_id=outcome.objective_id,
        period_label=outcome.period_label,
        terms_version=outcome.terms_version,
        tier_id=outcome.tier_id,
        status=STATUS_NAME_TO_PROTO.get(
            outcome.status, compliance_pb2.COMPLIANCE_STATUS_UNSPECIFIED
        ),
        closed_position=outcome.closed_position,
        open_dispute_ids=open_dispute_ids,
    )
    out.window_start.FromDatetime(outcome.window_start)
    out.window_end.FromDatetime(outcome.window_end)
    tracks_into_proto(outcome.figures, indicator, out.tracks)
    for breach in outcome.breaches:
        entry = out.breaches.add(open_dispute_ids=open_dispute_ids)
        _breach_into_proto(breach, entry)
    for credit in outcome.credits:
        line = out.credits.add(state=credit_state_to_proto(credit.state))
        _line_into_proto(credit.line, line.line)
        line.line.open_dispute_ids.extend(open_dispute_ids)
    for recalculation in outcome.recalculations:
        entry_r = out.recalculations.add(
            position=recalculation.position,
            status_before=_status(recalculation.status_before),
            status_after=_status(recalculation.status_after),
        )
        entry_r.recorded_at.FromDatetime(recalculation.recorded_at)
        tracks_into_proto(recalculation.before, indicator, entry_r.tracks_before)
        tracks_into_proto(recalculation.after, indicator, entry_r.tracks_after)
    _money(outcome.period_fee, out.period_fee)
    out.closed_at.FromDatetime(outcome.closed_at)
    if outcome.claim_deadline is not None:
        out.claim_deadline.FromDatetime(outcome.claim_deadline)
    return out


def closed_into_report(
    report: compliance_pb2.ComplianceReport,
    objectives: Sequence[tuple[str, ClosedResult | None]],
    positions: dict[str, int],
) -> None:
    """Set ObjectiveCompliance.closed of each objective of a report whose period was closed
    (objectives: each objective's id and closed result, in the report's order; positions: the
    log position of each close, by its period's stream)."""
    for message, (objective_id, closed) in zip(report.objectives, objectives, strict=True):
        assert message.objective_id == objective_id
        if closed is not None:
            closed_into_proto(closed, positions.get(closed.stream_id, 0), message.closed)
