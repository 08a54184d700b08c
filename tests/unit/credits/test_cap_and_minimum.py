"""Credits: the cap and the minimum."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_policies import CreditPolicy
from domain.credits import credit_for
from tests.unit.credits.outcomes import BANDS_POLICY, CLOUD_BANDS, breached, issued, money


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
