"""Credit arithmetic: what a closed objective-period earns under its credit policy.

The rules, in the order they are applied:

- **No data, no credit.** A period with no data earns no credit and no bonus; it is reported as
  no data (``Outcome.attainment_percent`` is None). This holds for every rule, count rules too.
- **No breach, no credit.** A period that is not breached earns no credit.
- **Bands.** The credit is that of the band with the lowest ``below_percent`` that the
  attainment is strictly below; bands may be given in any order. With bands below 99.99 -> 10%,
  below 99.0 -> 30% and below 95.0 -> 100%, attainment 98.5 earns 30%, exactly 99.0 earns 10%
  (it is not below 99.0) and 99.995 earns nothing. Of two bands with the same threshold, the
  larger credit applies.
- **Steps.** The shortfall is ``below_percent`` (or, when the rule has none, the target the
  period was judged against) minus the attainment. No shortfall, no credit. Otherwise each
  *started* step of ``per_points`` earns ``credit_percent``: steps = ceil(shortfall /
  per_points). With 5% per 0.5 points below 99.5, attainment 99.2 is 1 step (5%), exactly 99.0
  is 1 step (5%) and 98.9 is 2 steps (10%).
- **Counts.** Once the period's bad events reach ``at_least``, the credit is the fixed
  ``credit_amount`` (in the fee's currency) when the rule has one, else ``credit_percent`` of
  the fee.
- **Percent of the fee.** A percentage credit is ``fee * percent / 100``, exactly.
- **Cap.** The credit is at most ``cap_percent`` of the fee; a fixed count amount is capped too.
  The decision says when the cap reduced it.
- **Rounding once.** Only the final amount is rounded, half-even, to the currency's minor unit
  (JPY 0 digits, USD 2, BHD 3). Every intermediate figure is exact: the arithmetic runs with
  100 significant digits and traps ``decimal.Inexact``, so it either is exact or raises; it
  never silently rounds.
- **Minimum.** A rounded credit of zero, or below the policy's ``minimum_amount``, is not
  issued.
- **Bonus.** When the policy has a bonus, a period that is not breached and attains at least
  ``above_percent`` earns the provider ``bonus_percent`` of the fee. The cap does not apply to
  a bonus; rounding once and the minimum do. A bonus is owed to the provider, so callers record
  it as its own event, never netted against a credit.
- **Period fee.** The fee of the governing terms attributable to the objective's period: for
  every fee period overlapping it, fee x overlap / length of that fee period, summed (a week from
  Mon 29 June to Sun 5 July on a monthly fee is fee x 2/30 + fee x 5/31; a quarter on a monthly
  fee is exactly three fees). Then pro-rated by the share of the period the evaluation window
  covers. Exact Decimal; only credits are rounded.
- **Which policy, which track.** The objective's credit policy, or else the agreement's, applied
  to each breached track; the largest decision is issued (one credit per period at most). A
  bonus is earned when nothing is breached, no track is without data, the policy has a bonus
  and every track earns it; the smallest is issued.
- **Proration.** ``prorated`` is ``fee * part / whole`` over whole microseconds, not rounded to
  the minor unit. The product is exact; the quotient is exact whenever it terminates within 50
  significant digits and is otherwise rounded half-even at the 50th (1/3 has no exact decimal).
  For any fee below 10**15 that error is below 10**-34, some 30 orders of magnitude under the
  smallest minor unit.

A policy or fee that cannot be evaluated (a negative percentage, a non-positive step, a count
rule with neither a percentage nor an amount, a steps rule with no threshold and no target, a
negative or non-finite fee, a currency outside ISO 4217) raises ValueError rather than silently
paying nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from domain.compliance import Status, TrackResult
from domain.credit_policies import BandsRule, CountRule, CreditPolicy, StepsRule
from domain.money import MINOR_UNITS, Money
from domain.objectives import Indicator
from domain.period_walk import PeriodWindow
from domain.periods import periods_between

# Credits: wide enough for a 50-digit prorated fee times any sensible percentage, and trapping
# Inexact so that a figure needing more digits raises instead of being rounded.
_EXACT = Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
# Proration: a quotient such as 1/31 does not terminate, so it is held to 50 significant digits.
_PRORATION = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_HUNDRED = Decimal(100)
_ONE_MICROSECOND = timedelta(microseconds=1)
FEE_PRECISION = 60  # wider than prorated()'s 50 digits, so summing shares loses nothing


@dataclass(frozen=True)
class Outcome:
    """What a closed objective-period attained, as the credit rules need it."""

    attainment_percent: Decimal | None  # None when the period had no data
    target_percent: Decimal | None  # the target judged against; None for count/cumulative
    bad_events: int  # bad events (or bad slices, bad samples) counted in the period
    breached: bool


@dataclass(frozen=True)
class CreditDecision:
    """The credit (or bonus) one objective-period earns, with the policy line that produced it."""

    amount: Money  # rounded once, half-even, to the currency's minor unit; never negative
    percent_of_fee: Decimal  # the percentage applied before the cap (0 for a fixed amount)
    policy_line: str  # e.g. "band: attainment 98.7% below 99.0% -> 25% of fee"
    capped: bool  # True when the cap reduced the amount


@dataclass(frozen=True)
class _Raw:
    """An exact, uncapped credit and the policy line that produced it."""

    amount: Decimal
    percent_of_fee: Decimal
    policy_line: str


def credit_for(policy: CreditPolicy, outcome: Outcome, period_fee: Money) -> CreditDecision | None:
    """The credit the customer is owed for one objective-period, or None when none is owed."""
    _check_fee(period_fee)
    _check_percent("cap_percent", policy.cap_percent)
    attainment = outcome.attainment_percent
    if attainment is None or not outcome.breached:
        return None
    with localcontext(_EXACT):
        raw = _raw_credit(policy, outcome, attainment, period_fee)
        if raw is None:
            return None
        cap = period_fee.amount * policy.cap_percent / _HUNDRED
        capped = raw.amount > cap
        amount = cap if capped else raw.amount
    line = raw.policy_line
    if capped:
        line += f", capped at {_text(policy.cap_percent)}% of fee"
    return _issued(policy, Money(amount, period_fee.currency), raw.percent_of_fee, line, capped)


def bonus_for(policy: CreditPolicy, outcome: Outcome, period_fee: Money) -> CreditDecision | None:
    """The bonus the provider earns for one objective-period, or None when none is earned."""
    _check_fee(period_fee)
    bonus = policy.bonus
    attainment = outcome.attainment_percent
    if bonus is None or attainment is None or outcome.breached:
        return None
    _check_percent("bonus_percent", bonus.bonus_percent)
    if attainment < bonus.above_percent:
        return None
    with localcontext(_EXACT):
        amount = period_fee.amount * bonus.bonus_percent / _HUNDRED
    line = (
        f"bonus: attainment {_text(attainment)}% at or above {_text(bonus.above_percent)}%"
        f" -> {_text(bonus.bonus_percent)}% of fee"
    )
    return _issued(policy, Money(amount, period_fee.currency), bonus.bonus_percent, line, False)


def prorated(fee: Money, part: timedelta, whole: timedelta) -> Money:
    """The share part/whole of fee, unrounded: fee * part / whole over whole microseconds."""
    if whole <= timedelta(0):
        raise ValueError(f"whole must be positive, not {whole}")
    if part < timedelta(0):
        raise ValueError(f"part must not be negative, not {part}")
    if part > whole:
        raise ValueError(f"part {part} must not exceed whole {whole}")
    part_us = Decimal(part // _ONE_MICROSECOND)
    whole_us = Decimal(whole // _ONE_MICROSECOND)
    with localcontext(_EXACT):
        numerator = fee.amount * part_us  # exact, even for a fee that was itself prorated
    with localcontext(_PRORATION):
        return Money(numerator / whole_us, fee.currency)  # the one rounding, at digit 50


def _raw_credit(
    policy: CreditPolicy, outcome: Outcome, attainment: Decimal, fee: Money
) -> _Raw | None:
    """The exact credit before cap and rounding, or None when the rule earns none."""
    rule = policy.rule
    if isinstance(rule, BandsRule):
        return _band_credit(rule, attainment, fee)
    if isinstance(rule, StepsRule):
        return _steps_credit(rule, outcome, attainment, fee)
    return _count_credit(rule, outcome, fee)


def _band_credit(rule: BandsRule, attainment: Decimal, fee: Money) -> _Raw | None:
    """The credit of the lowest band attainment is strictly below."""
    for band in rule.bands:
        _check_percent("credit_percent", band.credit_percent)
    below = [band for band in rule.bands if attainment < band.below_percent]
    if not below:
        return None
    band = min(below, key=lambda b: (b.below_percent, -b.credit_percent))
    line = (
        f"band: attainment {_text(attainment)}% below {_text(band.below_percent)}%"
        f" -> {_text(band.credit_percent)}% of fee"
    )
    return _Raw(fee.amount * band.credit_percent / _HUNDRED, band.credit_percent, line)


def _steps_credit(
    rule: StepsRule, outcome: Outcome, attainment: Decimal, fee: Money
) -> _Raw | None:
    """credit_percent for each started per_points below the threshold."""
    _check_percent("credit_percent", rule.credit_percent)
    if not rule.per_points.is_finite() or rule.per_points <= 0:
        raise ValueError(f"per_points must be positive, not {rule.per_points}")
    threshold = rule.below_percent if rule.below_percent is not None else outcome.target_percent
    if threshold is None:
        raise ValueError("a steps rule needs below_percent when the outcome has no target")
    shortfall = threshold - attainment
    if shortfall <= 0:
        return None
    whole_steps, remainder = divmod(shortfall, rule.per_points)
    steps = whole_steps + (1 if remainder else 0)
    percent = steps * rule.credit_percent
    line = (
        f"steps: attainment {_text(attainment)}% is {_text(shortfall)} points below"
        f" {_text(threshold)}% -> {_text(steps)} started step{'' if steps == 1 else 's'}"
        f" of {_text(rule.per_points)}"
        f" points x {_text(rule.credit_percent)}% -> {_text(percent)}% of fee"
    )
    return _Raw(fee.amount * percent / _HUNDRED, percent, line)


def _count_credit(rule: CountRule, outcome: Outcome, fee: Money) -> _Raw | None:
    """The fixed amount or percentage once bad events reach at_least."""
    if rule.credit_amount is not None:
        amount, percent = rule.credit_amount, Decimal(0)
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"credit_amount must be finite and not negative, not {amount}")
        earns = f"fixed {fee.currency} {_text(amount)}"
    elif rule.credit_percent is not None:
        percent = rule.credit_percent
        _check_percent("credit_percent", percent)
        amount = fee.amount * percent / _HUNDRED
        earns = f"{_text(percent)}% of fee"
    else:
        raise ValueError("a count rule needs credit_amount or credit_percent")
    if outcome.bad_events < rule.at_least:
        return None
    line = f"count: {outcome.bad_events} bad events, at least {rule.at_least} -> {earns}"
    return _Raw(amount, percent, line)


def _issued(
    policy: CreditPolicy, exact: Money, percent: Decimal, line: str, capped: bool
) -> CreditDecision | None:
    """The decision for exact rounded once, or None when that is zero or below the minimum."""
    amount = exact.rounded()  # outside the exact context: this is the one rounding
    if amount.amount == 0 or amount.amount < policy.minimum_amount:
        return None
    return CreditDecision(amount, percent, line, capped)


def _check_fee(fee: Money) -> None:
    """Raise ValueError unless fee is a finite, non-negative amount in a known currency."""
    if fee.currency not in MINOR_UNITS:
        raise ValueError(f"{fee.currency!r} is not an ISO 4217 currency")
    if not fee.amount.is_finite() or fee.amount < 0:
        raise ValueError(f"the period fee must be finite and not negative, not {fee.amount}")


def _check_percent(name: str, value: Decimal) -> None:
    """Raise ValueError unless value is a finite, non-negative percentage."""
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite percentage, not negative: {value}")


def _text(value: Decimal) -> str:
    """value in plain positional notation, as written in a policy line."""
    return format(value, "f")


def period_fee(due: PeriodWindow) -> Money:
    """The fee the period's credits are computed from (exact, not rounded)."""
    terms = due.terms.terms
    period = due.period
    fee = terms.fee.amount
    if terms.fee.period is not period.unit:
        shares = [
            prorated(
                fee,
                min(period.end, fee_period.end) - max(period.start, fee_period.start),
                fee_period.duration,
            ).amount
            for fee_period in periods_between(
                period.start, period.end, terms.fee.period, terms.time_zone
            )
        ]
        with localcontext() as context:
            context.prec = FEE_PRECISION
            fee = Money(sum(shares, Decimal(0)), fee.currency)
    return prorated(fee, due.window_end - due.window_start, period.duration)


def credit_policy(due: PeriodWindow) -> CreditPolicy | None:
    """The objective's credit policy, or else the agreement's."""
    return due.objective.rules.credit_policy or due.terms.terms.credit_policy


def outcome_of(result: TrackResult) -> Outcome:
    """What a track attained, as the credit rules judge it."""
    # Ratio kinds are judged in percent against their target. A cumulative objective's
    # attainment is achieved / target in percent, so its target is 100%. A count limit has no
    # percentage target; its rules look at the bad events.
    if result.indicator is Indicator.CUMULATIVE:
        target: Decimal | None = Decimal(100)
        bad_events = 0
    elif result.indicator is Indicator.COUNT_LIMIT:
        target, bad_events = None, int(result.bad)
    else:
        target, bad_events = result.target, int(result.bad)
    return Outcome(
        attainment_percent=result.attainment_percent,
        target_percent=target,
        bad_events=bad_events,
        breached=result.breached,
    )


def period_credit(
    policy: CreditPolicy | None, results: Sequence[TrackResult], fee: Money
) -> CreditDecision | None:
    """The credit a period with these results earns: the largest of its breached tracks'."""
    if policy is None:
        return None
    decisions = [credit_for(policy, outcome_of(r), fee) for r in results if r.breached]
    present = [d for d in decisions if d is not None]
    return max(present, key=lambda d: d.amount.amount) if present else None


def period_bonus(
    policy: CreditPolicy | None, results: Sequence[TrackResult], fee: Money
) -> CreditDecision | None:
    """The bonus a period with these results earns: none unless every track earns one, then
    the smallest."""
    if policy is None or policy.bonus is None:
        return None
    if any(r.breached or r.status is Status.NO_DATA for r in results):
        return None
    decisions = [bonus_for(policy, outcome_of(r), fee) for r in results]
    if any(d is None for d in decisions):
        return None
    return min((d for d in decisions if d is not None), key=lambda d: d.amount.amount)
