"""Credits: banded rules."""

from __future__ import annotations

from decimal import Decimal

from domain.credits import credit_for
from tests.unit.credits.outcomes import BANDS_POLICY, breached, issued, met, money


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
