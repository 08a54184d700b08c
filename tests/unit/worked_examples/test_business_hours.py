"""Worked examples: business hours in Europe/Berlin across the DST change of 2026-03-29."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.objectives import ObjectiveRules, Schedule
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed, PeriodEvent
from domain.periods import schedule_contains
from tests.unit.worked_examples.builders import (
    HALF_POINT_STEPS,
    History,
    dec,
    eur,
    objective,
    of_type,
    only,
    reading,
    terms,
)

BERLIN = ZoneInfo("Europe/Berlin")
# 08:00-18:00 local time, Monday to Friday.
BUSINESS_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080)


def berlin_history(rules: ObjectiveRules) -> History:
    """A 99.5% business-hours objective, March 2026 in Europe/Berlin, EUR 1,000.00 a month.

    The month runs from 2026-03-01 00:00 CET (2026-02-28 23:00 UTC) to 2026-04-01 00:00 CEST
    (2026-03-31 22:00 UTC); clocks go from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
    """
    hours = objective("business-hours", target="99.5", rules=rules)
    start = datetime(2026, 3, 1, tzinfo=BERLIN)
    return History(terms(hours, fee=eur("1000.00"), zone="Europe/Berlin", start=start))


def close_berlin_march(history: History) -> list[PeriodEvent]:
    """Close March 2026 in Europe/Berlin."""
    return history.close(datetime(2026, 4, 1, tzinfo=BERLIN))


def test_downtime_inside_business_hours_counts_against_the_target() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Wednesday 2026-03-04 09:00 UTC = 10:00 CET: inside, all good.
            reading(datetime(2026, 3, 4, 9, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Thursday 2026-03-05 13:00 UTC = 14:00 CET: inside, 20 bad.
            reading(datetime(2026, 3, 5, 13, tzinfo=UTC), 980, 1000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Both readings count: 1,980 / 2,000 = 99.0% < 99.5% -> breached.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(1980, 2000)
    assert figures.readings == 2
    assert figures.attained == Decimal("99.000000")
    breach = only(events, BreachDetected)
    assert (breach.track, breach.target) == ("scheduled", Decimal("99.5"))


def test_downtime_outside_business_hours_is_not_counted() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Wednesday 2026-03-04 09:00 UTC = 10:00 CET: inside, all good.
            reading(datetime(2026, 3, 4, 9, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Friday 2026-03-06 18:00 UTC = 19:00 CET: after hours, all bad.
            reading(datetime(2026, 3, 6, 18, tzinfo=UTC), 0, 1000, "business-hours"),
            # Saturday 2026-03-07 11:00 UTC = 12:00 CET: not a business day, all bad.
            reading(datetime(2026, 3, 7, 11, tzinfo=UTC), 0, 1000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Only the Wednesday reading counts: 1,000 / 1,000 = 100% -> met. The other two are not
    # counted at all (neither judged nor reported as excluded).
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(1000, 1000)
    assert (figures.readings, figures.excluded) == (1, 0)
    assert figures.attained == Decimal("100.000000")
    assert closed.status == "met"
    assert of_type(events, BreachDetected) == []


def test_business_hours_are_read_on_the_local_wall_clock_on_both_sides_of_the_dst_change() -> None:
    # CET is UTC+1 until 2026-03-29 01:00 UTC, CEST is UTC+2 after it.
    # Monday 2026-03-30 07:30 UTC = 09:30 CEST -> inside 08:00-18:00.
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Friday 2026-03-27 07:30 UTC = 08:30 CET -> inside.
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 27, 7, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Friday 2026-03-27 06:30 UTC = 07:30 CET -> before opening, outside.
    assert not schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 27, 6, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Monday 2026-03-30 06:30 UTC = 08:30 CEST -> inside (the same UTC time as the Friday
    # reading above that was outside).
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 30, 6, 30, tzinfo=UTC), "Europe/Berlin"
    )


def test_only_readings_inside_local_business_hours_count_across_the_dst_change() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Fri 06:30 UTC = 07:30 CET: outside.
            reading(datetime(2026, 3, 27, 6, 30, tzinfo=UTC), 0, 1, "business-hours"),
            # Fri 07:30 UTC = 08:30 CET: inside.
            reading(datetime(2026, 3, 27, 7, 30, tzinfo=UTC), 10, 10, "business-hours"),
            # Mon 07:30 UTC = 09:30 CEST: inside.
            reading(datetime(2026, 3, 30, 7, 30, tzinfo=UTC), 100, 100, "business-hours"),
            # Mon 06:30 UTC = 08:30 CEST: inside (it would be 07:30, outside, at CET).
            reading(datetime(2026, 3, 30, 6, 30, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Mon 16:30 UTC = 18:30 CEST: outside (it would be 17:30, inside, at CET).
            reading(datetime(2026, 3, 30, 16, 30, tzinfo=UTC), 0, 10000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Counted: 10/10 + 100/100 + 1,000/1,000 = 1,110 / 1,110, three readings -> 100%, met.
    # Had the zone's winter offset been used all month, the count would be 110 / 10,110.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(1110, 1110)
    assert figures.readings == 3
    assert closed.status == "met"


def test_an_off_schedule_target_judges_the_hours_outside_the_schedule_as_a_second_track() -> None:
    history = berlin_history(
        ObjectiveRules(
            schedule=BUSINESS_HOURS,
            off_schedule_target_percent=Decimal("95.0"),
            credit_policy=HALF_POINT_STEPS,
        )
    )
    history.measure(
        [
            # Tuesday 2026-03-10 09:00 UTC = 10:00 CET: inside, 995/1,000.
            reading(datetime(2026, 3, 10, 9, tzinfo=UTC), 995, 1000, "business-hours"),
            # Tuesday 2026-03-10 20:00 UTC = 21:00 CET: outside, 470/500.
            reading(datetime(2026, 3, 10, 20, tzinfo=UTC), 470, 500, "business-hours"),
            # Saturday 2026-03-14 11:00 UTC = 12:00 CET: outside, 470/500.
            reading(datetime(2026, 3, 14, 11, tzinfo=UTC), 470, 500, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Scheduled track: 995 / 1,000 = 99.5%, not below 99.5 -> met.
    #   budget: allowed bad = 1,000 x 0.5% = 5, used 5 -> remaining 100 - 100 x 5/5 = 0%.
    # Off-schedule track: 940 / 1,000 = 94.0% < 95.0 -> breached.
    #   budget: allowed bad = 1,000 x 5% = 50, used 60 -> remaining 100 - 100 x 60/50 = -20%.
    # Steps (below_percent = the track's target 95.0): shortfall 95.0 - 94.0 = 1.0 points
    # = 2 started steps of 0.5 -> 2 x 5% = 10% x EUR 1,000.00 = EUR 100.00.
    closed = only(events, PeriodClosed)
    scheduled, off = closed.figures
    assert scheduled.track == "scheduled"
    assert (scheduled.good, scheduled.total) == dec(995, 1000)
    assert (scheduled.status, scheduled.budget_remaining_percent) == ("met", Decimal(0))
    assert off.track == "off_schedule"
    assert (off.good, off.total, off.target) == dec(940, 1000, 95)
    assert off.attained == Decimal("94.000000")
    assert (off.status, off.budget_remaining_percent) == ("breached", Decimal(-20))
    breach = only(events, BreachDetected)
    assert (breach.track, breach.target) == ("off_schedule", Decimal("95.0"))
    credit = only(events, CreditIssued)
    assert credit.amount == eur("100.00")
    assert credit.percent_of_fee == Decimal(10)
