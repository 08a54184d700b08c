"""Business-hour schedules and the time inside them (scheduled_duration)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.objectives import Schedule
from domain.periods import period_starting, schedule_contains, scheduled_duration
from domain.terms import PeriodUnit
from tests.unit.periods.times import BERLIN, BUSINESS_HOURS, hours, local, utc

WHOLE_DAYS = Schedule(days=(1, 2, 3, 4, 5, 6, 7), start_minute=0, end_minute=24 * 60)


def test_a_schedule_contains_a_weekday_business_hour_in_local_time() -> None:
    # Monday 2026-06-15 07:30 UTC is 09:30 in Berlin.
    assert schedule_contains(BUSINESS_HOURS, utc(2026, 6, 15, 7, 30), BERLIN)


def test_a_schedule_excludes_a_time_that_is_business_hours_only_in_utc() -> None:
    # Monday 17:30 UTC is 19:30 in Berlin.
    assert not schedule_contains(BUSINESS_HOURS, utc(2026, 6, 15, 17, 30), BERLIN)


def test_a_schedule_excludes_a_day_not_in_its_days() -> None:
    saturday_noon = local(BERLIN, 2026, 6, 20, 12)
    assert not schedule_contains(BUSINESS_HOURS, saturday_noon, BERLIN)


def test_a_schedule_reads_the_weekday_in_local_time() -> None:
    mondays = Schedule(days=(1,), start_minute=0, end_minute=60)
    # Sunday 22:30 UTC is Monday 00:30 in Berlin.
    assert schedule_contains(mondays, utc(2026, 6, 14, 22, 30), BERLIN)
    assert not schedule_contains(mondays, utc(2026, 6, 14, 22, 30), "UTC")


def test_a_schedule_excludes_its_holidays() -> None:
    schedule = Schedule(
        days=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080, holidays=("2026-12-25",)
    )
    assert not schedule_contains(schedule, local(BERLIN, 2026, 12, 25, 10), BERLIN)
    assert schedule_contains(schedule, local(BERLIN, 2026, 12, 24, 10), BERLIN)


def test_a_holiday_is_a_local_date() -> None:
    schedule = Schedule(
        days=(1, 2, 3, 4, 5), start_minute=0, end_minute=1440, holidays=("2026-12-25",)
    )
    # 23:30 UTC on the 24th is 00:30 on the 25th in Berlin.
    assert not schedule_contains(schedule, utc(2026, 12, 24, 23, 30), BERLIN)


@pytest.mark.parametrize(
    ("wall_clock", "inside"),
    [
        ((8, 59, 59), False),
        ((9, 0, 0), True),
        ((16, 59, 59), True),
        ((17, 0, 0), False),
    ],
)
def test_a_schedule_includes_its_start_minute_and_excludes_its_end_minute(
    wall_clock: tuple[int, int, int], inside: bool
) -> None:
    schedule = Schedule(days=(1,), start_minute=540, end_minute=1020)
    instant = local(BERLIN, 2026, 6, 15, *wall_clock)
    assert schedule_contains(schedule, instant, BERLIN) is inside


def test_a_schedule_excludes_the_last_microsecond_before_its_start() -> None:
    schedule = Schedule(days=(1,), start_minute=540, end_minute=1020)
    instant = local(BERLIN, 2026, 6, 15, 9) - timedelta(microseconds=1)
    assert not schedule_contains(schedule, instant, BERLIN)


def test_business_hours_of_a_normal_week_last_fifty_hours() -> None:
    monday = local(BERLIN, 2026, 6, 15)
    duration = scheduled_duration(BUSINESS_HOURS, monday, monday + timedelta(days=7), BERLIN)
    assert duration == hours(50)


def test_without_a_schedule_the_whole_span_counts() -> None:
    assert scheduled_duration(None, utc(2026, 3, 1), utc(2026, 3, 2, 6), BERLIN) == hours(30)


def test_scheduled_duration_is_zero_for_an_empty_span() -> None:
    assert scheduled_duration(BUSINESS_HOURS, utc(2026, 3, 2), utc(2026, 3, 1), BERLIN) == (
        timedelta(0)
    )


def test_scheduled_duration_counts_only_the_part_of_the_span_inside_the_schedule() -> None:
    start = local(BERLIN, 2026, 6, 15, 16, 30)
    end = local(BERLIN, 2026, 6, 16, 9, 15)
    assert scheduled_duration(BUSINESS_HOURS, start, end, BERLIN) == hours(2.75)


def test_scheduled_duration_skips_holidays() -> None:
    schedule = Schedule(
        days=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080, holidays=("2026-06-17",)
    )
    monday = local(BERLIN, 2026, 6, 15)
    assert scheduled_duration(schedule, monday, monday + timedelta(days=7), BERLIN) == hours(40)


def test_one_to_four_on_the_spring_forward_day_is_two_hours() -> None:
    schedule = Schedule(days=(7,), start_minute=60, end_minute=240)
    duration = scheduled_duration(schedule, utc(2026, 3, 28), utc(2026, 3, 30), BERLIN)
    assert duration == hours(2)


def test_the_spring_forward_weekend_lasts_47_hours() -> None:
    saturday = period_starting("2026-03-28", PeriodUnit.DAY, BERLIN).start
    monday = period_starting("2026-03-30", PeriodUnit.DAY, BERLIN).start
    assert scheduled_duration(WHOLE_DAYS, saturday, monday, BERLIN) == hours(47)


def test_business_hours_of_the_spring_forward_week_are_unchanged() -> None:
    monday = period_starting("2026-03-23", PeriodUnit.DAY, BERLIN).start
    next_monday = period_starting("2026-03-30", PeriodUnit.DAY, BERLIN).start
    assert scheduled_duration(BUSINESS_HOURS, monday, next_monday, BERLIN) == hours(50)


def test_one_to_four_on_the_fall_back_day_is_four_hours() -> None:
    schedule = Schedule(days=(7,), start_minute=60, end_minute=240)
    duration = scheduled_duration(schedule, utc(2026, 10, 24), utc(2026, 10, 26), BERLIN)
    assert duration == hours(4)


def test_a_schedule_starting_inside_the_repeated_hour_counts_what_schedule_contains_counts() -> (
    None
):
    # 02:30-04:00 on the fall-back day: 02:30-02:59 +02 and 03:00-03:59 +01 are inside;
    # the second pass of 02:00-02:29 (+01) reads before 02:30 and is outside.
    schedule = Schedule(days=(7,), start_minute=150, end_minute=240)
    start, end = utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)
    minutes = int((end - start) / timedelta(minutes=1))
    inside = sum(
        schedule_contains(schedule, start + timedelta(minutes=m), BERLIN) for m in range(minutes)
    )
    assert inside == 120
    assert scheduled_duration(schedule, start, end, BERLIN) == hours(2)


def test_scheduled_duration_accepts_bounds_in_any_offset() -> None:
    start = datetime(2026, 6, 15, 2, 0, tzinfo=ZoneInfo("America/New_York"))  # 08:00 Berlin
    end = start + hours(5)
    assert scheduled_duration(BUSINESS_HOURS, start, end, BERLIN) == hours(5)
