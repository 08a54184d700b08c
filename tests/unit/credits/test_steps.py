"""Credits: steps rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credit_policies import CreditPolicy, StepsRule
from domain.credits import credit_for
from tests.unit.credits.outcomes import breached, issued, money

# 5% of the fee for each started 0.5 points below 99.5.
HALF_POINT_STEPS = StepsRule(per_points=Decimal("0.5"), credit_percent=Decimal(5))
STEPS_POLICY = CreditPolicy(HALF_POINT_STEPS)


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
