"""Worked examples: a steps credit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.objectives import ObjectiveRules
from domain.period_results import CreditIssued, PeriodClosed
from domain.terms import PeriodUnit
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    DAY,
    HALF_POINT_STEPS,
    MAY,
    History,
    daily,
    eur,
    objective,
    only,
    reading,
    terms,
)


def test_a_weekly_steps_credit_is_5_percent_per_started_half_point_of_a_week_of_the_fee() -> None:
    weekly = objective(
        target="99.5", period=PeriodUnit.WEEK, rules=ObjectiveRules(credit_policy=HALF_POINT_STEPS)
    )
    monday = datetime(2026, 3, 9, tzinfo=UTC)  # ISO week 2026-W11: 03-09 .. 03-15
    history = History(terms(weekly, fee=eur("3100.00"), start=monday))
    readings = daily(monday, 7, 10000, 10000)
    readings[2] = reading(monday + 2 * DAY + timedelta(hours=12), 9160, 10000)
    history.measure(readings)

    events = history.close(monday + 7 * DAY)

    # Attainment: 6 x 10,000 + 9,160 = 69,160 / 70,000 = 98.8%.
    # Shortfall: 99.5 - 98.8 = 0.7 points = 1.4 steps of 0.5 -> 2 started steps -> 10%.
    # Week fee: the monthly fee over a 7-day week of March (31 days):
    #   EUR 3,100.00 x 7 / 31 = EUR 700.00.
    # Credit: 10% x 700.00 = EUR 70.00.
    closed = only(events, PeriodClosed)
    assert closed.period_label == "2026-W11"
    assert closed.period_fee == eur("700.00")
    (figures,) = closed.figures
    assert figures.attained == Decimal("98.800000")
    credit = only(events, CreditIssued)
    assert credit.amount == eur("70.00")
    assert credit.percent_of_fee == Decimal(10)


def test_a_monthly_objective_on_a_weekly_fee_is_credited_on_the_fee_of_the_whole_month() -> None:
    weekly_fee = terms(
        objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)),
        fee=eur("700.00"),
        fee_period=PeriodUnit.WEEK,
    )
    history = History(weekly_fee)
    history.measure(daily(APR, 30, 995, 1000))

    events = history.close(MAY)

    # Period fee: the weeks overlapping April (UTC) and their overlap with it:
    #   W14 (03-30..04-05): 5 days -> 700.00 x 5/7 = 500.00
    #   W15, W16, W17 (04-06..04-26): 3 x 700.00 = 2,100.00
    #   W18 (04-27..05-03): 4 days -> 700.00 x 4/7 = 400.00
    #   500.00 + 2,100.00 + 400.00 = EUR 3,000.00 (= 700.00 x 30/7).
    # Attainment 29,850 / 30,000 = 99.5% -> band [99.0, 99.9) -> 10% x 3,000.00 = EUR 300.00.
    assert only(events, PeriodClosed).period_fee == eur("3000.00")
    assert only(events, CreditIssued).amount == eur("300.00")
