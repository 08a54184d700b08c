"""Credits: bonuses."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_policies import CreditPolicy
from domain.credits import bonus_for
from tests.unit.credits.outcomes import (
    BANDS_POLICY,
    BONUS,
    CLOUD_BANDS,
    breached,
    issued,
    met,
    money,
)


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
