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

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


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
    after local midnight, start < end (no range crosses midnight). Holidays are ISO dates
    ("2026-12-25") on which the schedule does not apply.
    """

    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))
        object.__setattr__(self, "holidays", tuple(self.holidays))


@dataclass(frozen=True)
class CreditBand:
    """Attainment below below_percent earns credit_percent of the period fee."""

    below_percent: Decimal
    credit_percent: Decimal


@dataclass(frozen=True)
class BandsRule:
    """The credit of the lowest band the attainment falls below (bands need not be sorted)."""

    bands: tuple[CreditBand, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "bands", tuple(self.bands))


@dataclass(frozen=True)
class StepsRule:
    """credit_percent for each started per_points percentage points below below_percent.

    below_percent defaults to the objective's target.
    """

    per_points: Decimal
    credit_percent: Decimal
    below_percent: Decimal | None = None


@dataclass(frozen=True)
class CountRule:
    """Once bad events reach at_least in a period: credit_percent of the fee, or credit_amount."""

    at_least: int
    credit_percent: Decimal | None = None
    credit_amount: Decimal | None = None


@dataclass(frozen=True)
class BonusRule:
    """Attainment at or above above_percent earns the provider bonus_percent of the period fee."""

    above_percent: Decimal
    bonus_percent: Decimal


CreditRule = BandsRule | StepsRule | CountRule


@dataclass(frozen=True)
class CreditPolicy:
    """How a breach turns into a credit, with a cap, a minimum and an optional bonus.

    cap_percent caps the credit of one objective-period at that share of the period fee;
    credits whose rounded amount is below minimum_amount (in the fee's currency) are not issued.
    """

    rule: CreditRule
    cap_percent: Decimal = Decimal(100)
    minimum_amount: Decimal = Decimal(0)
    bonus: BonusRule | None = None


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


def normalise_bands(bands: Sequence[CreditBand]) -> list[CreditBand]:
    """Bands from the lowest threshold to the highest."""
    return sorted(bands, key=lambda band: band.below_percent)
