"""Credits: periods without data."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_policies import CreditPolicy
from domain.credits import Outcome, bonus_for, credit_for
from tests.unit.credits.outcomes import BANDS_POLICY, BONUS, CLOUD_BANDS, COUNT_POLICY, money

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
