"""Credits: worked examples of bands, steps, counts, cap, minimum, rounding, bonus and proration.

Every expected figure is computed by hand in the comment above the test.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.credits import CreditDecision, Outcome, bonus_for, credit_for, prorated
from domain.money import Money
from domain.objectives import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    StepsRule,
)

# The shape of the large cloud providers' SLAs, deliberately not sorted.
CLOUD_BANDS = BandsRule(
    (
        CreditBand(Decimal("99.0"), Decimal(30)),
        CreditBand(Decimal("99.99"), Decimal(10)),
        CreditBand(Decimal("95.0"), Decimal(100)),
    )
)
# 5% of the fee for each started 0.5 points below 99.5.
HALF_POINT_STEPS = StepsRule(per_points=Decimal("0.5"), credit_percent=Decimal(5))
BANDS_POLICY = CreditPolicy(CLOUD_BANDS)
STEPS_POLICY = CreditPolicy(HALF_POINT_STEPS)
# A bonus of 5% of the fee at or above 99.99.
BONUS = BonusRule(above_percent=Decimal("99.99"), bonus_percent=Decimal(5))
DAY = timedelta(days=1)


def money(amount: str, currency: str) -> Money:
    """Money from a decimal string."""
    return Money(Decimal(amount), currency)


def breached(attainment: str, target: str | None = "99.99") -> Outcome:
    """A breached period that attained attainment percent against target."""
    return Outcome(
        attainment_percent=Decimal(attainment),
        target_percent=None if target is None else Decimal(target),
        bad_events=0,
        breached=True,
    )


def met(attainment: str, target: str = "99.9") -> Outcome:
    """A period that met its target, attaining attainment percent."""
    return Outcome(Decimal(attainment), Decimal(target), bad_events=0, breached=False)


def bad_events(count: int) -> Outcome:
    """A breached count period with count bad events (attainment known, no target)."""
    return Outcome(Decimal(0), None, bad_events=count, breached=True)


def issued(decision: CreditDecision | None) -> CreditDecision:
    """decision, which the test expects to be issued."""
    assert decision is not None, "expected a credit, got none"
    return decision


# --- bands ---------------------------------------------------------------------------------


def test_a_band_credit_is_the_percent_of_the_fee_of_the_band_attainment_falls_below() -> None:
    # 99.95 < 99.99 but not < 99.0 or < 95.0 -> 10% of USD 1,000.00 = 100.00
    decision = issued(credit_for(BANDS_POLICY, breached("99.95"), money("1000.00", "USD")))

    assert decision.amount == money("100.00", "USD")
    assert decision.percent_of_fee == Decimal(10)
    assert not decision.capped


def test_the_lowest_band_the_attainment_falls_below_applies() -> None:
    # 98.0 is below 99.99 and 99.0; the lowest of those is 99.0 -> 30% of 1,000.00 = 300.00
    decision = issued(credit_for(BANDS_POLICY, breached("98.0"), money("1000.00", "USD")))

    assert decision.amount == money("300.00", "USD")


def test_attainment_below_every_band_earns_the_full_fee() -> None:
    # 94 is below 95.0, the lowest band -> 100% of 1,000.00 = 1,000.00
    decision = issued(credit_for(BANDS_POLICY, breached("94"), money("1000.00", "USD")))

    assert decision.amount == money("1000.00", "USD")


def test_attainment_exactly_at_a_band_threshold_is_not_below_it() -> None:
    # 99.0 is not below 99.0, only below 99.99 -> 10% of 1,000.00 = 100.00
    decision = issued(credit_for(BANDS_POLICY, breached("99.0"), money("1000.00", "USD")))

    assert decision.amount == money("100.00", "USD")


def test_attainment_above_every_band_earns_no_credit_even_when_breached() -> None:
    # 99.995 is below no band (99.99 is the highest) -> no credit
    outcome = breached("99.995", target="99.999")

    assert credit_for(BANDS_POLICY, outcome, money("1000.00", "USD")) is None


def test_a_period_that_met_its_target_earns_no_credit() -> None:
    # not breached -> no credit, whatever band 99.95 would fall in
    assert credit_for(BANDS_POLICY, met("99.95"), money("1000.00", "USD")) is None


def test_a_band_credit_names_the_band_in_its_policy_line() -> None:
    # 98.0 below 99.0 -> 30% of fee
    decision = issued(credit_for(BANDS_POLICY, breached("98.0"), money("1000.00", "USD")))

    assert decision.policy_line == "band: attainment 98.0% below 99.0% -> 30% of fee"


# --- steps ---------------------------------------------------------------------------------


def test_a_started_step_earns_a_full_step() -> None:
    # 99.5 - 99.2 = 0.3 points; 0.3 / 0.5 = 0.6 -> 1 started step -> 5% of 2,000.00 = 100.00
    outcome = breached("99.2", target="99.5")

    decision = issued(credit_for(STEPS_POLICY, outcome, money("2000.00", "EUR")))

    assert decision.amount == money("100.00", "EUR")
    assert decision.percent_of_fee == Decimal(5)


def test_a_shortfall_of_exactly_one_step_is_one_step() -> None:
    # 99.5 - 99.0 = 0.5 points; 0.5 / 0.5 = 1 -> 1 step -> 5% of 2,000.00 = 100.00
    outcome = breached("99.0", target="99.5")

    decision = issued(credit_for(STEPS_POLICY, outcome, money("2000.00", "EUR")))

    assert decision.amount == money("100.00", "EUR")


def test_a_second_started_step_earns_two_steps() -> None:
    # 99.5 - 98.9 = 0.6 points; 0.6 / 0.5 = 1.2 -> 2 started steps -> 10% of 2,000.00 = 200.00
    outcome = breached("98.9", target="99.5")

    decision = issued(credit_for(STEPS_POLICY, outcome, money("2000.00", "EUR")))

    assert decision.amount == money("200.00", "EUR")
    assert decision.percent_of_fee == Decimal(10)


def test_five_steps_earn_five_times_the_step_credit() -> None:
    # 99.5 - 97.0 = 2.5 points; 2.5 / 0.5 = 5 steps -> 25% of 2,000.00 = 500.00
    outcome = breached("97.0", target="99.5")

    decision = issued(credit_for(STEPS_POLICY, outcome, money("2000.00", "EUR")))

    assert decision.amount == money("500.00", "EUR")


def test_a_steps_rule_with_its_own_threshold_ignores_the_target() -> None:
    # below 99.0 (target 99.5 ignored): 99.0 - 98.9 = 0.1 -> 1 step -> 5% of 2,000.00 = 100.00
    rule = StepsRule(Decimal("0.5"), Decimal(5), below_percent=Decimal("99.0"))
    outcome = breached("98.9", target="99.5")

    decision = issued(credit_for(CreditPolicy(rule), outcome, money("2000.00", "EUR")))

    assert decision.amount == money("100.00", "EUR")


def test_no_shortfall_below_the_step_threshold_earns_no_steps() -> None:
    # below 99.0: 99.0 - 99.2 = -0.2 points -> no shortfall -> no credit
    rule = StepsRule(Decimal("0.5"), Decimal(5), below_percent=Decimal("99.0"))

    assert credit_for(CreditPolicy(rule), breached("99.2", "99.5"), money("2000.00", "EUR")) is None


def test_a_steps_policy_line_shows_the_shortfall_and_the_steps() -> None:
    # 99.5 - 98.9 = 0.6 points -> 2 started steps x 5% -> 10%
    outcome = breached("98.9", target="99.5")

    decision = issued(credit_for(STEPS_POLICY, outcome, money("2000.00", "EUR")))

    assert decision.policy_line == (
        "steps: attainment 98.9% is 0.6 points below 99.5% -> 2 started steps of 0.5 points"
        " x 5% -> 10% of fee"
    )


def test_a_steps_rule_without_threshold_or_target_cannot_be_evaluated() -> None:
    # no below_percent and no target: the shortfall is undefined
    with pytest.raises(ValueError, match="below_percent"):
        credit_for(STEPS_POLICY, breached("98", target=None), money("1.00", "EUR"))


# --- counts --------------------------------------------------------------------------------

# 15% of the fee once three or more bad events occur.
THREE_FAILURES = CountRule(at_least=3, credit_percent=Decimal(15))
COUNT_POLICY = CreditPolicy(THREE_FAILURES)


def test_fewer_bad_events_than_the_count_earn_no_credit() -> None:
    # 2 < 3 -> no credit
    assert credit_for(COUNT_POLICY, bad_events(2), money("400.00", "GBP")) is None


def test_reaching_the_count_earns_the_percent_of_the_fee() -> None:
    # 3 >= 3 -> 15% of GBP 400.00 = 60.00
    decision = issued(credit_for(COUNT_POLICY, bad_events(3), money("400.00", "GBP")))

    assert decision.amount == money("60.00", "GBP")
    assert decision.policy_line == "count: 3 bad events, at least 3 -> 15% of fee"


def test_a_fixed_count_credit_is_paid_in_the_fee_currency() -> None:
    # 3 >= 3 -> fixed 50.00, in GBP because the fee is; percent_of_fee is 0 for a fixed amount
    rule = CountRule(at_least=3, credit_amount=Decimal("50.00"))

    decision = issued(credit_for(CreditPolicy(rule), bad_events(3), money("400.00", "GBP")))

    assert decision.amount == money("50.00", "GBP")
    assert decision.percent_of_fee == Decimal(0)


def test_a_fixed_count_credit_is_capped_too() -> None:
    # fixed 50.00, cap 10% of 400.00 = 40.00 -> 40.00, capped
    rule = CountRule(at_least=3, credit_amount=Decimal("50.00"))
    capped_policy = CreditPolicy(rule, cap_percent=Decimal(10))

    decision = issued(credit_for(capped_policy, bad_events(3), money("400.00", "GBP")))

    assert decision.amount == money("40.00", "GBP")
    assert decision.capped


def test_a_count_rule_without_amount_or_percent_cannot_be_evaluated() -> None:
    # neither credit_amount nor credit_percent: nothing to pay from
    with pytest.raises(ValueError, match="credit_amount or credit_percent"):
        credit_for(CreditPolicy(CountRule(at_least=3)), bad_events(3), money("400.00", "GBP"))


# --- cap -----------------------------------------------------------------------------------


def test_the_cap_limits_the_credit_to_its_share_of_the_fee() -> None:
    # 94 -> 100% of 1,000.00 = 1,000.00; cap 50% of 1,000.00 = 500.00 -> 500.00, capped
    capped_policy = CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(50))

    decision = issued(credit_for(capped_policy, breached("94"), money("1000.00", "USD")))

    assert decision.amount == money("500.00", "USD")
    assert decision.capped
    assert decision.percent_of_fee == Decimal(100)
    assert decision.policy_line.endswith(", capped at 50% of fee")


def test_a_credit_under_the_cap_is_not_marked_capped() -> None:
    # 98.0 -> 30% of 1,000.00 = 300.00 <= cap 50% = 500.00 -> 300.00, not capped
    capped_policy = CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(50))

    decision = issued(credit_for(capped_policy, breached("98.0"), money("1000.00", "USD")))

    assert decision.amount == money("300.00", "USD")
    assert not decision.capped


# --- minimum -------------------------------------------------------------------------------


def test_a_credit_below_the_minimum_is_not_issued() -> None:
    # 99.95 -> 10% of USD 4.00 = 0.40 < minimum 1.00 -> none
    small_policy = CreditPolicy(CLOUD_BANDS, minimum_amount=Decimal("1.00"))

    assert credit_for(small_policy, breached("99.95"), money("4.00", "USD")) is None


def test_a_credit_of_exactly_the_minimum_is_issued() -> None:
    # 99.95 -> 10% of USD 10.00 = 1.00, not below minimum 1.00 -> 1.00
    small_policy = CreditPolicy(CLOUD_BANDS, minimum_amount=Decimal("1.00"))

    decision = issued(credit_for(small_policy, breached("99.95"), money("10.00", "USD")))

    assert decision.amount == money("1.00", "USD")


def test_a_credit_that_rounds_to_zero_is_not_issued() -> None:
    # 99.95 -> 10% of JPY 4 = 0.4 -> half-even to 0 digits = 0 -> none
    assert credit_for(BANDS_POLICY, breached("99.95"), money("4", "JPY")) is None


# --- rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "currency", "expected"),
    [
        # 10% of JPY 12,345 = 1,234.5 -> tie, 4 is even -> 1,234
        ("12345", "JPY", "1234"),
        # 10% of JPY 12,355 = 1,235.5 -> tie, 6 is even -> 1,236
        ("12355", "JPY", "1236"),
        # 10% of BHD 12.345 = 1.2345 -> tie at 3 digits, 4 is even -> 1.234
        ("12.345", "BHD", "1.234"),
        # 10% of BHD 12.355 = 1.2355 -> tie at 3 digits, 6 is even -> 1.236
        ("12.355", "BHD", "1.236"),
        # 10% of USD 1.25 = 0.125 -> tie at 2 digits, 2 is even -> 0.12
        ("1.25", "USD", "0.12"),
        # 10% of USD 1.35 = 0.135 -> tie at 2 digits, 4 is even -> 0.14
        ("1.35", "USD", "0.14"),
    ],
)
def test_the_credit_rounds_half_even_to_the_currency_minor_unit(
    fee: str, currency: str, expected: str
) -> None:
    decision = issued(credit_for(BANDS_POLICY, breached("99.95"), money(fee, currency)))

    assert decision.amount == money(expected, currency)
    assert decision.amount.amount.as_tuple().exponent == Decimal(expected).as_tuple().exponent


def test_a_credit_on_a_prorated_fee_is_rounded_only_at_the_end() -> None:
    # fee 3,000.00 for 2 of 31 days = 6,000 / 31 = 193.548387...; 10% of it = 600 / 31
    # = 19.354838... -> 19.35. Rounding the fee first would give 193.55 -> 10% = 19.355 -> 19.36.
    fee = prorated(money("3000.00", "USD"), 2 * DAY, 31 * DAY)

    decision = issued(credit_for(BANDS_POLICY, breached("99.95"), fee))

    assert decision.amount == money("19.35", "USD")


def test_the_cap_on_a_prorated_fee_is_rounded_only_at_the_end() -> None:
    # fee 3,000.00 for 2 of 31 days = 193.548387...; 94 -> 100% = 193.548387...; cap 10% of it
    # = 600 / 31 = 19.354838... -> 19.35, capped. A cap on the rounded fee would give 19.36.
    capped_policy = CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(10))
    fee = prorated(money("3000.00", "USD"), 2 * DAY, 31 * DAY)

    decision = issued(credit_for(capped_policy, breached("94"), fee))

    assert decision.amount == money("19.35", "USD")
    assert decision.capped


# --- bonus ---------------------------------------------------------------------------------


def test_a_bonus_is_paid_when_attainment_reaches_its_threshold() -> None:
    # 99.995 >= 99.99, not breached -> 5% of USD 1,000.00 = 50.00
    bonus_policy = CreditPolicy(CLOUD_BANDS, bonus=BONUS)

    decision = issued(bonus_for(bonus_policy, met("99.995"), money("1000.00", "USD")))

    assert decision.amount == money("50.00", "USD")
    assert decision.percent_of_fee == Decimal(5)
    assert not decision.capped
    assert decision.policy_line == "bonus: attainment 99.995% at or above 99.99% -> 5% of fee"


def test_a_bonus_is_paid_at_exactly_its_threshold() -> None:
    # 99.99 >= 99.99 -> 5% of 1,000.00 = 50.00
    bonus_policy = CreditPolicy(CLOUD_BANDS, bonus=BONUS)

    decision = issued(bonus_for(bonus_policy, met("99.99"), money("1000.00", "USD")))

    assert decision.amount == money("50.00", "USD")


def test_no_bonus_is_paid_below_its_threshold() -> None:
    # 99.98 < 99.99 -> no bonus
    bonus_policy = CreditPolicy(CLOUD_BANDS, bonus=BONUS)

    assert bonus_for(bonus_policy, met("99.98"), money("1000.00", "USD")) is None


def test_no_bonus_is_paid_for_a_breached_period() -> None:
    # breached -> no bonus, even though 99.995 >= 99.99
    bonus_policy = CreditPolicy(CLOUD_BANDS, bonus=BONUS)
    outcome = breached("99.995", target="99.999")

    assert bonus_for(bonus_policy, outcome, money("1000.00", "USD")) is None


def test_the_cap_does_not_limit_a_bonus() -> None:
    # cap 1% of 1,000.00 = 10.00 applies to credits only -> bonus 5% = 50.00
    bonus_policy = CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(1), bonus=BONUS)

    decision = issued(bonus_for(bonus_policy, met("99.995"), money("1000.00", "USD")))

    assert decision.amount == money("50.00", "USD")
    assert not decision.capped


def test_the_minimum_applies_to_a_bonus() -> None:
    # 5% of USD 10.00 = 0.50 < minimum 1.00 -> no bonus
    bonus_policy = CreditPolicy(CLOUD_BANDS, minimum_amount=Decimal("1.00"), bonus=BONUS)

    assert bonus_for(bonus_policy, met("99.995"), money("10.00", "USD")) is None


def test_a_policy_without_a_bonus_pays_none() -> None:
    # no bonus rule -> no bonus, however high the attainment
    assert bonus_for(BANDS_POLICY, met("100"), money("1000.00", "USD")) is None


# --- no data -------------------------------------------------------------------------------

NO_DATA_BREACHED = Outcome(None, Decimal("99.9"), bad_events=5, breached=True)
NO_DATA_MET = Outcome(None, Decimal("99.9"), bad_events=0, breached=False)


def test_a_period_with_no_data_earns_no_band_credit() -> None:
    # attainment None -> reported as no data, no credit
    assert credit_for(BANDS_POLICY, NO_DATA_BREACHED, money("1000.00", "USD")) is None


def test_a_period_with_no_data_earns_no_count_credit() -> None:
    # attainment None -> no credit, even with 5 >= 3 bad events
    assert credit_for(COUNT_POLICY, NO_DATA_BREACHED, money("400.00", "GBP")) is None


def test_a_period_with_no_data_earns_no_bonus() -> None:
    # attainment None -> no bonus
    bonus_policy = CreditPolicy(CLOUD_BANDS, bonus=BONUS)

    assert bonus_for(bonus_policy, NO_DATA_MET, money("1000.00", "USD")) is None


# --- invalid input -------------------------------------------------------------------------


def test_a_negative_fee_cannot_earn_a_credit() -> None:
    # a negative fee would give a negative credit
    with pytest.raises(ValueError, match="not negative"):
        credit_for(BANDS_POLICY, breached("94"), money("-1.00", "USD"))


def test_a_fee_in_an_unknown_currency_cannot_earn_a_credit() -> None:
    # XYZ has no minor unit to round to
    with pytest.raises(ValueError, match="ISO 4217"):
        credit_for(BANDS_POLICY, breached("94"), money("1.00", "XYZ"))


# --- proration -----------------------------------------------------------------------------


def test_ten_days_of_a_thirty_day_month_is_a_third_of_the_fee() -> None:
    # 3,000.00 x 10 / 30 = 1,000 exactly
    share = prorated(money("3000.00", "USD"), 10 * DAY, 30 * DAY)

    assert share == money("1000", "USD")


def test_one_day_of_a_thirty_one_day_month_is_a_thirty_first_of_the_fee() -> None:
    # 3,100.00 x 1 / 31 = 100 exactly
    share = prorated(money("3100.00", "EUR"), DAY, 31 * DAY)

    assert share == money("100", "EUR")


def test_a_prorated_fee_is_not_rounded_to_the_minor_unit() -> None:
    # 100.00 x 1 / 3 = 33.333... (50 significant digits), not 33.33
    share = prorated(money("100.00", "USD"), DAY, 3 * DAY)

    assert share.amount != Decimal("33.33")
    assert share.amount == Decimal("33." + "3" * 48)


def test_prorating_over_the_whole_period_gives_the_whole_fee() -> None:
    # 1,234.56 x 7 / 7 = 1,234.56
    assert prorated(money("1234.56", "USD"), 7 * DAY, 7 * DAY) == money("1234.56", "USD")


def test_prorating_counts_microseconds() -> None:
    # 1,000,000 x 1 us / 1 s (1,000,000 us) = 1
    share = prorated(money("1000000", "JPY"), timedelta(microseconds=1), timedelta(seconds=1))

    assert share == money("1", "JPY")


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (DAY, timedelta(0)),  # whole is zero
        (timedelta(0), -DAY),  # whole is negative
        (-DAY, 30 * DAY),  # part is negative
        (31 * DAY, 30 * DAY),  # part exceeds whole
    ],
)
def test_prorating_rejects_impossible_shares(part: timedelta, whole: timedelta) -> None:
    with pytest.raises(ValueError):
        prorated(money("3000.00", "USD"), part, whole)


def test_prorating_a_prorated_fee_rounds_only_once() -> None:
    # 100.00 x 1/3 = 33.33...3 (50 significant digits). x 4 = 133.33...32 (51 digits, kept
    # exact); / 1999 = 0.066700016675004168751042187760546940136735034183757 8789...
    # -> 50 digits, half-even: ...183758. Rounding the product to 50 digits first
    # (133.33...3) would give ...183757.
    third = prorated(money("100.00", "USD"), DAY, 3 * DAY)

    share = prorated(third, timedelta(microseconds=4), timedelta(microseconds=1999))

    assert share.amount == Decimal("0.066700016675004168751042187760546940136735034183758")
