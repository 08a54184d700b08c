"""Worked examples: a banded availability credit, and the length of the month."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from domain.measurements import Measurement
from domain.objectives import Indicator, ObjectiveRules
from domain.period_results import CreditIssued, PeriodClosed, PeriodEvent
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    DAY,
    MAY,
    History,
    dec,
    objective,
    only,
    reading,
    terms,
    usd,
)


def minutes(start: datetime, count: int, down_from: int, down_for: int) -> list[Measurement]:
    """One reading per minute from start; minutes down_from .. down_from + down_for - 1 are down."""
    return [
        reading(start + timedelta(minutes=m), 0 if down_from <= m < down_from + down_for else 1, 1)
        for m in range(count)
    ]


def close_month_of_minutes(month: datetime, days: int, down_minutes: int) -> list[PeriodEvent]:
    """Close one UTC month of 1-minute slices with down_minutes bad minutes from 10:00 on the 15th.

    Every minute has one reading, so every slice of the month is observed.
    """
    sliced = objective(
        rules=ObjectiveRules(
            indicator=Indicator.TIME_SLICES, slice_seconds=60, credit_policy=CLOUD_POLICY
        )
    )
    history = History(terms(sliced, start=month))
    outage_start = 14 * 1440 + 600  # 2026-xx-15 10:00 UTC, in minutes from the 1st
    history.measure(minutes(month, days * 1440, outage_start, down_minutes))
    return history.close(month + days * DAY)


def test_fifty_bad_minutes_in_a_30_day_month_earn_the_10_percent_band() -> None:
    events = close_month_of_minutes(APR, 30, 50)

    # April 2026: 30 x 1,440 = 43,200 one-minute slices, 50 bad -> 43,150 good.
    # 43,150 / 43,200 = 1 - 50/43,200 = 1 - 0.00115740740... = 99.88425925925...%
    # reported to 6 places: 99.884259. 99.0 <= 99.884... < 99.9 -> band "below 99.9" -> 10%.
    # 10% x USD 1,000.00 = USD 100.00.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total, figures.bad) == dec(43150, 43200, 50)
    assert figures.attained == Decimal("99.884259")
    assert closed.status == "breached"
    credit = only(events, CreditIssued)
    assert credit.amount == usd("100.00")
    assert credit.percent_of_fee == Decimal(10)
    assert "below 99.9%" in credit.policy_line


def test_the_same_fifty_bad_minutes_in_a_31_day_month_earn_the_10_percent_band_too() -> None:
    events = close_month_of_minutes(MAY, 31, 50)

    # May 2026: 31 x 1,440 = 44,640 slices, 50 bad -> 44,590 good.
    # 50 / 44,640 = 0.00112007168458... -> 100 - 0.112007168458... = 99.887992831541...%
    # reported: 99.887993 (the 7th decimal is 8, rounds up). Still in [99.0, 99.9) -> 10%.
    # 10% x USD 1,000.00 = USD 100.00.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total, figures.bad) == dec(44590, 44640, 50)
    assert figures.attained == Decimal("99.887993")
    assert only(events, CreditIssued).amount == usd("100.00")


def test_440_bad_minutes_in_a_30_day_month_fall_below_99_and_earn_25_percent() -> None:
    events = close_month_of_minutes(APR, 30, 440)

    # 440 / 43,200 = 0.0101851851... -> 100 - 1.01851851... = 98.98148148...% (reported
    # 98.981481) < 99.0 and >= 95.0 -> band "below 99.0" -> 25% x USD 1,000.00 = USD 250.00.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(42760, 43200)
    assert figures.attained == Decimal("98.981481")
    credit = only(events, CreditIssued)
    assert credit.amount == usd("250.00")
    assert credit.percent_of_fee == Decimal(25)


def test_the_same_440_bad_minutes_in_a_31_day_month_stay_above_99_and_earn_10_percent() -> None:
    events = close_month_of_minutes(MAY, 31, 440)

    # 440 / 44,640 = 0.00985663082437... -> 100 - 0.985663082437... = 99.01433691756...%
    # (reported 99.014337) >= 99.0 and < 99.9 -> band "below 99.9" -> 10% -> USD 100.00.
    # The longer month turned the 25% band of April into 10%.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(44200, 44640)
    assert figures.attained == Decimal("99.014337")
    credit = only(events, CreditIssued)
    assert credit.amount == usd("100.00")
    assert credit.percent_of_fee == Decimal(10)
