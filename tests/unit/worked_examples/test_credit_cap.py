"""Worked examples: the cap on a credit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.credit_policies import CreditPolicy
from domain.period_results import CreditIssued
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_BANDS,
    DAY,
    MAY,
    availability_history,
    daily,
    only,
    reading,
    usd,
)


def test_the_cap_limits_a_100_percent_band_to_half_the_fee() -> None:
    history = availability_history(CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(50)))
    readings = daily(APR, 30, 1000, 1000)
    for day in (4, 5, 6):
        readings[day] = reading(APR + day * DAY + timedelta(hours=12), 0, 1000)
    history.measure(readings)

    events = history.close(MAY)

    # 27,000 / 30,000 = 90.0% < 95.0 -> 100% x USD 1,000.00 = USD 1,000.00,
    # capped at 50% x 1,000.00 = USD 500.00.
    credit = only(events, CreditIssued)
    assert credit.amount == usd("500.00")
    assert credit.percent_of_fee == Decimal(100)
    assert credit.capped
    assert credit.policy_line.endswith(", capped at 50% of fee")
