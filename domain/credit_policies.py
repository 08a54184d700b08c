"""Credit policies: how a breach turns into a credit (bands, steps or counts), with a cap, a
minimum and an optional bonus, and the rules a policy's settings must keep.

What a policy earns for a period is computed in credits.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.input_ranges import MAX_BANDS


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


def _is_percent(value: Decimal | None, *, allow_zero: bool = True) -> bool:
    if value is None or not value.is_finite():
        return False
    return (Decimal(0) <= value if allow_zero else Decimal(0) < value) and value <= Decimal(100)


def policy_violations(policy: CreditPolicy, path: str) -> list[tuple[str, str]]:
    """(field path, description) for every rule a credit policy breaks."""
    found: list[tuple[str, str]] = []
    rule = policy.rule
    if isinstance(rule, BandsRule):
        if not rule.bands:
            found.append((f"{path}.bands", "at least one band"))
        if len(rule.bands) > MAX_BANDS:
            found.append((f"{path}.bands", f"at most {MAX_BANDS} bands"))
        for index, band in enumerate(rule.bands):
            if not _is_percent(band.below_percent, allow_zero=False):
                found.append((f"{path}.bands[{index}].below_percent", "above 0, at most 100"))
            if not _is_percent(band.credit_percent):
                found.append((f"{path}.bands[{index}].credit_percent", "0 to 100"))
    elif isinstance(rule, StepsRule):
        if not rule.per_points.is_finite() or rule.per_points <= 0:
            found.append((f"{path}.steps.per_points", "must be above 0"))
        if not _is_percent(rule.credit_percent):
            found.append((f"{path}.steps.credit_percent", "0 to 100"))
        if rule.below_percent is not None and not _is_percent(rule.below_percent, allow_zero=False):
            found.append((f"{path}.steps.below_percent", "above 0, at most 100"))
    else:
        if rule.at_least < 1:
            found.append((f"{path}.count.at_least", "must be 1 or more"))
        if (rule.credit_percent is None) == (rule.credit_amount is None):
            found.append((f"{path}.count", "give either credit_percent or credit_amount"))
        if rule.credit_percent is not None and not _is_percent(rule.credit_percent):
            found.append((f"{path}.count.credit_percent", "0 to 100"))
        if rule.credit_amount is not None and (
            not rule.credit_amount.is_finite() or rule.credit_amount < 0
        ):
            found.append((f"{path}.count.credit_amount", "must not be negative"))
    if not _is_percent(policy.cap_percent):
        found.append((f"{path}.cap_percent", "0 to 100"))
    if not policy.minimum_amount.is_finite() or policy.minimum_amount < 0:
        found.append((f"{path}.minimum_amount", "must not be negative"))
    if policy.bonus is not None:
        if not _is_percent(policy.bonus.above_percent, allow_zero=False):
            found.append((f"{path}.bonus.above_percent", "above 0, at most 100"))
        if not _is_percent(policy.bonus.bonus_percent):
            found.append((f"{path}.bonus.bonus_percent", "0 to 100"))
    return found
