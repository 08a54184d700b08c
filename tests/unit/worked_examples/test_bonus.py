"""Worked examples: a bonus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.period_results import BonusEarned, CreditIssued, PeriodClosed
from tests.unit.worked_examples.builders import (
    APR,
    BONUS_POLICY,
    MAY,
    availability_history,
    daily,
    of_type,
    only,
    reading,
    usd,
)


def test_exceeding_the_bonus_threshold_earns_the_provider_a_bonus_not_a_credit() -> None:
    history = availability_history(BONUS_POLICY)
    history.measure(daily(APR, 30, 10000, 10000))

    events = history.close(MAY)

    # 300,000 / 300,000 = 100% >= 99.99 and not breached -> bonus 5% x USD 1,000.00 = USD 50.00,
    # owed to the provider; no credit.
    assert of_type(events, CreditIssued) == []
    bonus = only(events, BonusEarned)
    assert bonus.amount == usd("50.00")
    assert bonus.percent_of_fee == Decimal(5)
    totals = history.report(datetime(2026, 5, 2, tzinfo=UTC)).credit_totals()
    assert totals == {("bonus", "USD"): usd("50.00")}


def test_meeting_the_target_below_the_bonus_threshold_earns_nothing() -> None:
    history = availability_history(BONUS_POLICY)
    readings = daily(APR, 30, 10000, 10000)
    readings[0] = reading(APR + timedelta(hours=12), 9850, 10000)
    history.measure(readings)

    events = history.close(MAY)

    # 299,850 / 300,000 = 99.95% : met (>= 99.9) but below 99.99 -> no bonus, no credit.
    closed = only(events, PeriodClosed)
    assert closed.figures[0].attained == Decimal("99.950000")
    assert events == [closed]
