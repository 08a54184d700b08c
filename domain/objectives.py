"""How an objective is measured and judged, after OpenSLO's indicators and budgeting methods.

| here | OpenSLO |
|---|---|
| Indicator.RATIO | ratioMetric (good/total), budgetingMethod Occurrences |
| Indicator.TIME_SLICES | ratioMetric per slice, budgetingMethod Timeslices (timeSliceTarget) |
| Indicator.THRESHOLD | thresholdMetric with op lt/lte/gte/gt, Occurrences over samples |
| Indicator.COUNT_LIMIT | no direct equivalent: an absolute budget of bad events |
| Indicator.CUMULATIVE | no direct equivalent: a business KPI that must reach a total |
| PeriodUnit + time zone | timeWindow: calendar {startTime, timeZone}, isRolling false |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from domain.credit_policies import CreditPolicy, policy_violations
from domain.input_ranges import (
    DATE_RULE,
    MAX_HOLIDAYS,
    labels_problem,
    parse_iso_date,
)


class Indicator(Enum):
    """What an objective's readings mean and how attainment is computed."""

    RATIO = "ratio"
    TIME_SLICES = "time_slices"
    THRESHOLD = "threshold"
    COUNT_LIMIT = "count_limit"
    CUMULATIVE = "cumulative"


class Comparison(Enum):
    """How a sample is compared with a threshold; a sample is good when the comparison holds."""

    LT = "lt"
    LTE = "lte"
    GTE = "gte"
    GT = "gt"

    def holds(self, sample: Decimal, threshold: Decimal) -> bool:
        """Whether sample <op> threshold."""
        if self is Comparison.LT:
            return sample < threshold
        if self is Comparison.LTE:
            return sample <= threshold
        if self is Comparison.GTE:
            return sample >= threshold
        return sample > threshold


@dataclass(frozen=True)
class Threshold:
    """A sample is good when `sample <comparison> value`."""

    comparison: Comparison
    value: Decimal


@dataclass(frozen=True)
class Schedule:
    """Business hours in the agreement's time zone: days, a local time range, and holidays.

    Days are ISO weekdays (1 = Monday .. 7 = Sunday). start_minute and end_minute are minutes
    after local midnight, start < end (no range crosses midnight). Holidays are local dates
    written YYYY-MM-DD ("2026-12-25") on which the schedule does not apply.
    """

    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))
        object.__setattr__(self, "holidays", tuple(self.holidays))


class ClockStop(Enum):
    """Which milestone stops a case clock."""

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


PAUSE_REASONS = ("awaiting_customer", "awaiting_third_party", "other")
MAX_CASE_TARGET_SECONDS = 366 * 86_400


@dataclass(frozen=True)
class CaseClock:
    """A clock on each case of the agreement, started when the case is opened.

    It stops at stop (the first response, or the resolution), stands still while the case is
    paused for one of pause_reasons, counts only the objective's schedule when it has one, and
    meets its target when it stops within target_seconds of counted time.
    """

    stop: ClockStop
    target_seconds: int
    pause_reasons: tuple[str, ...] = ("awaiting_customer",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pause_reasons", tuple(self.pause_reasons))


@dataclass(frozen=True)
class ObjectiveRules:
    """Everything about an objective beyond metric, target and period (all optional)."""

    indicator: Indicator = Indicator.RATIO
    threshold: Threshold | None = None
    slice_seconds: int = 60
    slice_good_percent: Decimal = Decimal(100)
    limit: int | None = None
    cumulative_target: Decimal | None = None
    label_scope: dict[str, str] = field(default_factory=dict)
    schedule: Schedule | None = None
    off_schedule_target_percent: Decimal | None = None
    credit_policy: CreditPolicy | None = None
    termination_right_after: int | None = None
    case_clock: CaseClock | None = None


MINUTES_PER_DAY = 1440


def rules_violations(
    rules: ObjectiveRules, target_percent: Decimal, path: str
) -> list[tuple[str, str]]:
    """(field path, description) for every rule an objective's settings break."""
    found: list[tuple[str, str]] = []

    def bad(field_name: str, description: str) -> None:
        found.append((f"{path}.{field_name}", description))

    kind = rules.indicator
    percent_kinds = (Indicator.RATIO, Indicator.TIME_SLICES, Indicator.THRESHOLD)
    if kind in percent_kinds:
        if not target_percent.is_finite() or not Decimal(0) < target_percent <= Decimal(100):
            bad("target_percent", "must be above 0 and at most 100")
    elif target_percent != 0:
        bad("target_percent", f"must be empty for a {kind.value} objective")
    if kind is Indicator.THRESHOLD and rules.threshold is None:
        bad("threshold", "a threshold objective needs a threshold")
    if kind is not Indicator.THRESHOLD and rules.threshold is not None:
        bad("threshold", "only threshold objectives have a threshold")
    if rules.threshold is not None and not rules.threshold.value.is_finite():
        bad("threshold.value", "must be a finite number")
    if not 1 <= rules.slice_seconds <= 86_400:
        bad("slice_seconds", "must be 1 to 86400")
    if not Decimal(0) < rules.slice_good_percent <= Decimal(100):
        bad("slice_good_percent", "must be above 0 and at most 100")
    if kind is Indicator.COUNT_LIMIT and (rules.limit is None or rules.limit < 0):
        bad("limit", "a count-limit objective needs a limit of 0 or more")
    if kind is Indicator.CUMULATIVE and (
        rules.cumulative_target is None
        or not rules.cumulative_target.is_finite()
        or rules.cumulative_target <= 0
    ):
        bad("cumulative_target", "a cumulative objective needs a target above 0")
    scope_problem = labels_problem(rules.label_scope)
    if scope_problem is not None:
        bad("label_scope", scope_problem)
    schedule = rules.schedule
    if schedule is not None:
        if not schedule.days or any(d not in range(1, 8) for d in schedule.days):
            bad("schedule.days", "ISO weekdays 1 (Monday) to 7 (Sunday), at least one")
        elif len(set(schedule.days)) != len(schedule.days):
            bad("schedule.days", "each day once")
        if not 0 <= schedule.start_minute < schedule.end_minute <= MINUTES_PER_DAY:
            bad("schedule", "needs 0 <= start_minute < end_minute <= 1440")
        if len(schedule.holidays) > MAX_HOLIDAYS:
            bad("schedule.holidays", f"at most {MAX_HOLIDAYS} holidays")
        else:
            for index, holiday in enumerate(schedule.holidays):
                if parse_iso_date(holiday) is None:
                    bad(f"schedule.holidays[{index}]", DATE_RULE)
    off_target = rules.off_schedule_target_percent
    if off_target is not None:
        if schedule is None or kind not in percent_kinds:
            bad(
                "off_schedule_target_percent",
                "only percentage objectives with a schedule have an off-schedule target",
            )
        elif not Decimal(0) < off_target <= Decimal(100):
            bad("off_schedule_target_percent", "must be above 0 and at most 100")
    if rules.credit_policy is not None:
        found.extend(policy_violations(rules.credit_policy, f"{path}.credit_policy"))
    if rules.termination_right_after is not None and rules.termination_right_after < 1:
        bad("termination_right_after", "must be 1 or more")
    if rules.case_clock is not None:
        found.extend(_case_clock_violations(rules, path))
    return found


def _case_clock_violations(rules: ObjectiveRules, path: str) -> list[tuple[str, str]]:
    clock = rules.case_clock
    assert clock is not None
    found: list[tuple[str, str]] = []
    if rules.indicator not in (Indicator.RATIO, Indicator.COUNT_LIMIT):
        found.append(
            (
                f"{path}.indicator",
                "a case objective is judged as a ratio of cases met or a count limit of breaches",
            )
        )
    if not 1 <= clock.target_seconds <= MAX_CASE_TARGET_SECONDS:
        found.append(
            (f"{path}.case_clock.target_seconds", f"must be 1 to {MAX_CASE_TARGET_SECONDS}")
        )
    if len(set(clock.pause_reasons)) != len(clock.pause_reasons):
        found.append((f"{path}.case_clock.pause_reasons", "each reason once"))
    for index, reason in enumerate(clock.pause_reasons):
        if reason not in PAUSE_REASONS:
            found.append(
                (f"{path}.case_clock.pause_reasons[{index}]", f"one of {', '.join(PAUSE_REASONS)}")
            )
    if rules.off_schedule_target_percent is not None:
        found.append(
            (f"{path}.off_schedule_target_percent", "a case objective has no off-schedule target")
        )
    return found
