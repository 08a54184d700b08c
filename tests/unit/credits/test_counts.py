"""Credits: count rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credit_policies import CountRule, CreditPolicy
from domain.credits import Outcome, credit_for
from tests.unit.credits.outcomes import COUNT_POLICY, issued, money


def bad_events(count: int) -> Outcome:
    """A breached count period with count bad events (attainment known, no target)."""
    return Outcome(Decimal(0), None, bad_events=count, breached=True)


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
