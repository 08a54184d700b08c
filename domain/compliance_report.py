"""The compliance report of one agreement at (as_of, known_at): its types and how it is built.

Every compliance query builds its report here, from a folded history and a way to evaluate the
window holding as_of of each objective (the replay oracle's, or the rollups').
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.agreement_history import AgreementHistory
from domain.compliance import Status, TrackResult
from domain.errors import NotFoundError
from domain.money import Money
from domain.period_entries import BreachEntry, CreditEntry, breach_entries, credit_entry
from domain.period_history import ClosedResult, closed_result
from domain.period_results import TerminationRightGranted
from domain.period_walk import PeriodWindow, current_windows
from domain.periods import period_containing
from domain.resource_names import objective_name


@dataclass(frozen=True)
class ObjectiveCompliance:
    """How one objective stands in the period containing as_of."""

    objective_id: str
    period_label: str
    terms_version: int
    window_start: datetime | None
    window_end: datetime | None
    tracks: tuple[TrackResult, ...]
    # The period's final result when it had been closed as known at known_at (its stream's
    # events recorded by then), beside the standing at as_of above.
    closed: ClosedResult | None = None

    @property
    def status(self) -> Status:
        """Breached, at risk, met, in that order of precedence; no data if no track has data."""
        statuses = {t.status for t in self.tracks}
        for status in (Status.BREACHED, Status.AT_RISK, Status.MET):
            if status in statuses:
                return status
        return Status.NO_DATA


@dataclass(frozen=True)
class TerminationRightEntry:
    """A right to terminate the customer gained."""

    objective_id: str
    period_label: str
    consecutive_breaches: int
    recorded_at: datetime


@dataclass(frozen=True)
class ComplianceReport:
    """Everything the oracle answers about one agreement at (as_of, known_at)."""

    agreement_id: str
    as_of: datetime
    known_at: datetime
    terms_version: int
    objectives: tuple[ObjectiveCompliance, ...]
    breaches: tuple[BreachEntry, ...]
    credits: tuple[CreditEntry, ...]
    termination_rights: tuple[TerminationRightEntry, ...]

    def credit_totals(self) -> dict[tuple[str, str], Money]:
        """Net amounts per ("credit" or "bonus", currency); bonuses are owed to the provider."""
        totals: dict[tuple[str, str], Decimal] = {}
        for entry in self.credits:
            family = "bonus" if entry.kind.startswith("bonus") else "credit"
            key = (family, entry.amount.currency)
            totals[key] = totals.get(key, Decimal(0)) + entry.amount.amount
        return {key: Money(amount, key[1]) for key, amount in totals.items()}


def compliance_report(
    history: AgreementHistory,
    as_of: datetime,
    known_at: datetime,
    objective_id: str | None,
    evaluate_window: Callable[[PeriodWindow], list[TrackResult]],
    windows: Sequence[PeriodWindow] | None = None,
) -> ComplianceReport:
    """The report from a folded history, each current window evaluated by evaluate_window.

    history holds the events recorded by known_at; its readings are only read through
    evaluate_window, so a caller may fold a history without them and evaluate from rollups.
    windows, when given, are current_windows(history, as_of, objective_id), found already.
    """
    standing = history.agreement.standing_at(as_of)
    if windows is None:
        windows = current_windows(history, as_of, objective_id)
    by_objective = {w.objective.objective_id: w for w in windows}
    objectives = tuple(
        _objective_now(history, o.objective_id, as_of, evaluate_window, by_objective)
        for o in standing.terms.terms.objectives
        if objective_id is None or o.objective_id == objective_id
    )
    if objective_id is not None and not objectives:
        raise NotFoundError(
            f"agreement has no objective {objective_id!r} at {as_of.isoformat()}",
            resource_type="objective",
            resource_name=objective_name(history.agreement.agreement_id, objective_id),
        )
    breaches, credits, rights = _closed_results(history, as_of, objective_id)
    return ComplianceReport(
        agreement_id=history.agreement.agreement_id,
        as_of=as_of,
        known_at=known_at,
        terms_version=standing.terms.number,
        objectives=objectives,
        breaches=tuple(breaches),
        credits=tuple(credits),
        termination_rights=tuple(rights),
    )


def _objective_now(
    history: AgreementHistory,
    objective_id: str,
    as_of: datetime,
    evaluate_window: Callable[[PeriodWindow], list[TrackResult]],
    windows: Mapping[str, PeriodWindow],
) -> ObjectiveCompliance:
    agreement = history.agreement
    in_force = agreement.terms_in_force(as_of)
    objective = in_force.terms.objective(objective_id)
    assert objective is not None
    current = windows.get(objective_id)
    if current is None:
        label = period_containing(as_of, objective.period, in_force.terms.time_zone).label
        return ObjectiveCompliance(objective_id, label, in_force.number, None, None, ())
    standing = history.period(objective_id, current.period.label)
    return ObjectiveCompliance(
        objective_id,
        current.period.label,
        current.terms.number,
        current.window_start,
        current.window_end,
        tuple(evaluate_window(current)),
        closed_result(standing.events, current.objective.rules.indicator)
        if standing is not None
        else None,
    )


def _closed_results(
    history: AgreementHistory, as_of: datetime, objective_id: str | None
) -> tuple[list[BreachEntry], list[CreditEntry], list[TerminationRightEntry]]:
    breaches: list[BreachEntry] = []
    credits: list[CreditEntry] = []
    rights: list[TerminationRightEntry] = []
    for standing in history.periods.values():
        if standing.closed.window_end > as_of:
            continue
        if objective_id is not None and standing.objective_id != objective_id:
            continue
        breaches.extend(breach_entries(standing.events))
        for event in standing.events:
            line = credit_entry(event)
            if line is not None:
                credits.append(line)
            elif isinstance(event, TerminationRightGranted):
                rights.append(
                    TerminationRightEntry(
                        standing.objective_id,
                        standing.label,
                        event.consecutive_breaches,
                        event.timestamp,
                    )
                )
    return breaches, credits, rights
