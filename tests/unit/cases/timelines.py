"""Builders for case tests: milestones at readable instants and case objectives."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from domain.case_milestones import Milestone, MilestoneKind
from domain.instants import to_epoch_us
from domain.objectives import CaseClock, ClockStop, Indicator, ObjectiveRules, Schedule
from domain.terms import Objective, PeriodUnit

HOUR_US = 3_600_000_000
# 09:00-17:00, Monday to Friday.
OFFICE_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=540, end_minute=1020)


def at(text: str) -> int:
    """An ISO 8601 instant with its offset, as UTC µs."""
    return to_epoch_us(datetime.fromisoformat(text))


def milestone(
    kind: MilestoneKind,
    when: str,
    case_id: str = "T-1",
    *,
    labels: Mapping[str, str] | None = None,
    reason: str = "",
    milestone_id: str = "",
) -> Milestone:
    """One milestone of a case at an ISO 8601 instant."""
    return Milestone(case_id, kind, at(when), milestone_id, labels, reason)


def opened(when: str, case_id: str = "T-1", priority: str = "") -> Milestone:
    """A case opened, with a priority label when one is given."""
    labels = {"priority": priority} if priority else None
    return milestone(MilestoneKind.OPENED, when, case_id, labels=labels)


def case_objective(
    objective_id: str = "resolution",
    *,
    hours: float = 4,
    stop: ClockStop = ClockStop.RESOLUTION,
    target: str = "90",
    schedule: Schedule | None = None,
    scope: Mapping[str, str] | None = None,
    pause_reasons: tuple[str, ...] = ("awaiting_customer",),
    indicator: Indicator = Indicator.RATIO,
    limit: int | None = None,
    rules: ObjectiveRules | None = None,
) -> Objective:
    """A case objective: a monthly share (or count limit) of cases whose clock meets hours."""
    clock = CaseClock(stop, int(hours * 3600), pause_reasons)
    base = rules or ObjectiveRules()
    return Objective(
        objective_id=objective_id,
        metric=objective_id,
        target_percent=Decimal(target) if indicator is Indicator.RATIO else Decimal(0),
        period=PeriodUnit.MONTH,
        rules=ObjectiveRules(
            indicator=indicator,
            limit=limit,
            schedule=schedule,
            label_scope=dict(scope or {}),
            case_clock=clock,
            credit_policy=base.credit_policy,
            termination_right_after=base.termination_right_after,
        ),
    )
