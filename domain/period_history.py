"""The result of one closed objective-period as known at known_at: one fold of its stream.

A period's stream (domain/period_results.py) begins with its PeriodClosed; what follows changes
its result without editing the close: a recalculation (PeriodRecalculated) replaces the figures
and the status, a breach is detected or retracted, a credit or bonus is issued or adjusted, the
cap across objectives takes from the credit, and a claim moves the credit through its life
(domain/credit_lifecycle.py). The result as known at known_at folds the events recorded by then:
its status and figures are those of the last recalculation known (the close's without one).
This fold is the oracle of ListPeriodResults and of GetCompliance's closed result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.agreement import Agreement
from domain.credit_lifecycle import credit_state
from domain.money import Money
from domain.objectives import Indicator
from domain.period_entries import BreachEntry, CreditEntry, breach_entries, credit_entry
from domain.period_results import PeriodClosed, PeriodEvent, PeriodRecalculated, TrackFigures


@dataclass(frozen=True)
class Recalculation:
    """One recalculation of a closed period: its log position, record time, before and after."""

    position: int
    recorded_at: datetime
    status_before: str
    status_after: str
    before: tuple[TrackFigures, ...]
    after: tuple[TrackFigures, ...]


@dataclass(frozen=True)
class PeriodCreditLine:
    """A credit or bonus line with the state of the period's credit ("" for bonus lines)."""

    line: CreditEntry
    state: str


@dataclass(frozen=True)
class PeriodOutcome:
    """One closed objective-period's result after the events known at known_at."""

    agreement_id: str
    customer_id: str  # the subscriber of a service SLA; "" for an agreement's own period
    objective_id: str
    period_label: str
    window_start: datetime
    window_end: datetime
    terms_version: int
    tier_id: str
    status: str  # a domain.compliance.Status value: met, breached or no_data
    figures: tuple[TrackFigures, ...]
    breaches: tuple[BreachEntry, ...]
    credits: tuple[PeriodCreditLine, ...]
    recalculations: tuple[Recalculation, ...]
    period_fee: Money
    closed_at: datetime
    closed_position: int
    claim_deadline: datetime | None


def period_outcome(
    logged: Iterable[tuple[int, PeriodEvent]], known_at: datetime
) -> PeriodOutcome | None:
    """The result of the period whose stream's (log position, event) pairs are given in log
    order, from those recorded by known_at; None when its close was not recorded by then."""
    return _outcome([(p, e) for p, e in logged if e.timestamp <= known_at])


def _outcome(known: Sequence[tuple[int, PeriodEvent]]) -> PeriodOutcome | None:
    if not known or not isinstance(known[0][1], PeriodClosed):
        return None
    closed_position, closed = known[0][0], known[0][1]
    assert isinstance(closed, PeriodClosed)
    events = [e for _, e in known]
    status, figures = closed.status, tuple(closed.figures)
    recalculations = []
    for position, event in known:
        if isinstance(event, PeriodRecalculated):
            status, figures = event.status_after, tuple(event.after)
            recalculations.append(
                Recalculation(
                    position,
                    event.timestamp,
                    event.status_before,
                    event.status_after,
                    tuple(event.before),
                    tuple(event.after),
                )
            )
    return PeriodOutcome(
        agreement_id=closed.agreement_id,
        customer_id=closed.customer_id,
        objective_id=closed.objective_id,
        period_label=closed.period_label,
        window_start=closed.window_start,
        window_end=closed.window_end,
        terms_version=closed.terms_version,
        tier_id=closed.tier_id,
        status=status,
        figures=figures,
        breaches=tuple(breach_entries(events)),
        credits=_credit_lines(events),
        recalculations=tuple(recalculations),
        period_fee=closed.period_fee,
        closed_at=closed.timestamp,
        closed_position=closed_position,
        claim_deadline=closed.claim_deadline,
    )


def _credit_lines(events: Sequence[PeriodEvent]) -> tuple[PeriodCreditLine, ...]:
    state = credit_state(events)
    status = state.status.value if state is not None else ""
    lines = []
    for event in events:
        line = credit_entry(event)
        if line is not None:
            lines.append(PeriodCreditLine(line, "" if line.kind.startswith("bonus") else status))
    return tuple(lines)


@dataclass(frozen=True)
class ClosedResult:
    """In short, the result of the closed period holding a GetCompliance as_of."""

    status: str
    figures: tuple[TrackFigures, ...]
    indicator: Indicator
    closed_at: datetime
    terms_version: int
    recalculations: int
    stream_id: str  # the period's stream, whose first event (the close) gives its log position


def closed_result(events: Sequence[PeriodEvent], indicator: Indicator) -> ClosedResult:
    """The short result of a period from its events already known (the close first), its
    objective judged by indicator."""
    outcome = _outcome([(0, e) for e in events])
    assert outcome is not None
    return ClosedResult(
        status=outcome.status,
        figures=outcome.figures,
        indicator=indicator,
        closed_at=outcome.closed_at,
        terms_version=outcome.terms_version,
        recalculations=len(outcome.recalculations),
        stream_id=events[0].originator_id,
    )


def judged_indicator(agreement: Agreement, outcome: PeriodOutcome) -> Indicator:
    """How the objective of a closed period was judged: its indicator in the terms version
    that judged it (a service SLA's: in the subscriber's tier); ratio when none holds it."""
    for version in agreement.terms_versions:
        if version.number != outcome.terms_version:
            continue
        terms = version.terms
        tier = terms.tier(outcome.tier_id) if outcome.tier_id else None
        objectives = tier.objectives if tier is not None else terms.judged_objectives()
        for objective in objectives:
            if objective.objective_id == outcome.objective_id:
                return objective.rules.indicator
    return Indicator.RATIO
