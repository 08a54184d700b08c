"""Everything recorded about one agreement, folded from its events in log order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.agreement import Agreement, TermsVersion
from domain.case_milestones import CaseMilestoneRecorded, Milestone
from domain.case_timeline import sorted_timeline
from domain.credit_caps import CreditCapped
from domain.exclusions import Exclusion
from domain.measurements import Measurement, MetricMeasured
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
from domain.periods import Period


@dataclass
class PeriodStanding:
    """What the ledger holds about one closed objective-period."""

    objective_id: str
    label: str
    closed: PeriodClosed
    version: int
    figures: list[TrackFigures]
    status: str
    breached_tracks: dict[str, BreachDetected] = field(default_factory=dict)
    credit: Money | None = None
    credit_line: str = ""
    # What the cap across objectives takes from the credit (domain/credit_caps.py); credit is
    # the amount before it.
    cap_reduction: Money | None = None
    bonus: Money | None = None
    bonus_line: str = ""
    termination_right: TerminationRightGranted | None = None
    events: list[PeriodEvent] = field(default_factory=list)


@dataclass
class AgreementHistory:
    """The agreement, its exclusions, readings, cases and closed periods, as far as the events
    go. cases holds each case's milestones in record order. For a subscriber's view of a service
    SLA, agreement is the view and periods are the subscriber's."""

    agreement: Agreement
    exclusions: list[Exclusion] = field(default_factory=list)
    readings: dict[str, list[Measurement]] = field(default_factory=dict)
    periods: dict[tuple[str, str], PeriodStanding] = field(default_factory=dict)
    cases: dict[str, list[Milestone]] = field(default_factory=dict)
    customer_id: str = ""  # a subscriber's view of a service SLA (domain/subscriber_views.py)

    def case_timelines(self) -> list[list[Milestone]]:
        """Each case's milestones in business order."""
        return [sorted_timeline(milestones) for milestones in self.cases.values()]

    def period(self, objective_id: str, label: str) -> PeriodStanding | None:
        """The standing of a closed period, or None when it was never closed."""
        return self.periods.get((objective_id, label))


def fold_history(events: Iterable[Any]) -> AgreementHistory | None:
    """The history built from an agreement's events in log order; None before its signing."""
    agreement: Agreement | None = None
    history: AgreementHistory | None = None
    for event in events:
        if isinstance(event, Agreement.Event):
            agreement = event.mutate(agreement)
            if history is None and agreement is not None:
                history = AgreementHistory(agreement)
            continue
        if history is None:
            continue
        if isinstance(event, MetricMeasured):
            history.readings.setdefault(event.objective_id, []).extend(event.measurements())
        elif isinstance(event, PeriodEvent):
            _apply_period_event(history, event)
        elif isinstance(event, CaseMilestoneRecorded):
            history.cases.setdefault(event.case_id, []).append(event.milestone())
    if history is not None:
        history.exclusions = list(history.agreement.exclusions)
    return history


def add_period_events(history: AgreementHistory, events: Iterable[PeriodEvent]) -> None:
    """Fold events of period streams (each stream's in order) into history's standings."""
    for event in events:
        _apply_period_event(history, event)


def _apply_period_event(history: AgreementHistory, event: PeriodEvent) -> None:
    key = (event.objective_id, event.period_label)
    if isinstance(event, PeriodClosed):
        history.periods[key] = PeriodStanding(
            objective_id=event.objective_id,
            label=event.period_label,
            closed=event,
            version=event.originator_version,
            figures=list(event.figures),
            status=event.status,
            events=[event],
        )
        return
    standing = history.periods.get(key)
    if standing is None:
        return
    standing.version = event.originator_version
    standing.events.append(event)
    if isinstance(event, BreachDetected):
        standing.breached_tracks[event.track] = event
    elif isinstance(event, BreachRetracted):
        standing.breached_tracks.pop(event.track, None)
    elif isinstance(event, CreditIssued):
        standing.credit, standing.credit_line = event.amount, event.policy_line
    elif isinstance(event, CreditAdjusted):
        standing.credit, standing.credit_line = event.after, event.policy_line
    elif isinstance(event, CreditCapped):
        standing.cap_reduction = event.reduction_after
    elif isinstance(event, BonusEarned):
        standing.bonus, standing.bonus_line = event.amount, event.policy_line
    elif isinstance(event, BonusAdjusted):
        standing.bonus, standing.bonus_line = event.after, event.policy_line
    elif isinstance(event, PeriodRecalculated):
        standing.figures, standing.status = list(event.after), event.status_after
    elif isinstance(event, TerminationRightGranted):
        standing.termination_right = event


def governing_terms(agreement: Agreement, period: Period) -> TermsVersion | None:
    """The terms that govern a period.

    The newest version effective at or before the period's start; a version marked retroactive
    also governs a period that started before it took effect, if the period ends after that.
    None when the period ends before the agreement's terms start.
    """
    candidates = [
        v
        for v in agreement.terms_versions
        if v.effective_from <= period.start or (v.retroactive and v.effective_from < period.end)
    ]
    if candidates:
        return candidates[-1]  # the versions are in recorded order: the last is the newest
    first = agreement.terms_versions[0]
    return first if first.effective_from < period.end else None


def evaluation_window(
    agreement: Agreement, terms: TermsVersion, period: Period
) -> tuple[datetime, datetime] | None:
    """The part of a period the agreement was in force: after its start, before its end."""
    start = max(period.start, agreement.terms_versions[0].terms.term_start)
    end = period.end
    term_end = terms.terms.term_end
    if term_end is not None:
        end = min(end, term_end)
    if agreement.termination is not None:
        end = min(end, agreement.termination.effective_at)
    return (start, end) if start < end else None
