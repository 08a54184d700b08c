"""Calendar periods in an agreement's time zone, and time inside business-hour schedules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.objectives import Schedule
from domain.periods import (
    Period,
    next_period,
    period_containing,
    period_starting,
    periods_between,
    schedule_contains,
    scheduled_duration,
)
from domain.terms import PeriodUnit

BERLIN = "Europe/Berlin"
# Chile moves its clocks at 24:00 Saturday: 2026-09-06 00:00 does not exist there.
SANTIAGO = "America/Santiago"
# Cuba moves its clocks at 00:00 (forward) and 01:00 (back): 2026-03-08 00:00 does not exist,
# and 2026-11-01 00:00 happens twice.
HAVANA = "America/Havana"

BUSINESS_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=8 * 60, end_minute=18 * 60)
WHOLE_DAYS = Schedule(days=(1, 2, 3, 4, 5, 6, 7), start_minute=0, end_minute=24 * 60)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An instant given in UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An instant given as an unambiguous wall-clock time in zone."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone))


def hours(count: float) -> timedelta:
    """A duration of count hours."""
    return timedelta(hours=count)


# Period boundaries and labels, in UTC and in Europe/Berlin


def test_a_utc_day_runs_from_midnight_to_midnight() -> None:
    period = period_containing(utc(2026, 6, 15, 12), PeriodUnit.DAY, "UTC")
    assert period == Period(utc(2026, 6, 15), utc(2026, 6, 16), PeriodUnit.DAY, "2026-06-15")


def test_a_berlin_day_runs_between_local_midnights_in_utc() -> None:
    period = period_containing(utc(2026, 6, 15, 12), PeriodUnit.DAY, BERLIN)
    assert period == Period(
        utc(2026, 6, 14, 22), utc(2026, 6, 15, 22), PeriodUnit.DAY, "2026-06-15"
    )


def test_an_instant_after_local_midnight_belongs_to_the_next_local_day() -> None:
    # 23:30 UTC on 1 January is 00:30 on 2 January in Berlin.
    period = period_containing(utc(2026, 1, 1, 23, 30), PeriodUnit.DAY, BERLIN)
    assert period.label == "2026-01-02"
    assert period.start == utc(2026, 1, 1, 23)


def test_a_utc_week_runs_from_monday_to_monday_with_its_iso_label() -> None:
    period = period_containing(utc(2026, 3, 26, 9), PeriodUnit.WEEK, "UTC")
    assert period == Period(utc(2026, 3, 23), utc(2026, 3, 30), PeriodUnit.WEEK, "2026-W13")


def test_a_berlin_week_starts_at_local_monday_midnight() -> None:
    # Sunday 22:30 UTC is already Monday 00:30 in Berlin (summer time, UTC+2).
    period = period_containing(utc(2026, 3, 29, 22, 30), PeriodUnit.WEEK, BERLIN)
    assert period == Period(utc(2026, 3, 29, 22), utc(2026, 4, 5, 22), PeriodUnit.WEEK, "2026-W14")


def test_a_utc_month_runs_from_the_first_to_the_first() -> None:
    period = period_containing(utc(2026, 2, 14), PeriodUnit.MONTH, "UTC")
    assert period == Period(utc(2026, 2, 1), utc(2026, 3, 1), PeriodUnit.MONTH, "2026-02")


def test_a_berlin_month_starts_at_the_local_first_of_the_month() -> None:
    period = period_containing(utc(2026, 3, 15), PeriodUnit.MONTH, BERLIN)
    assert period == Period(utc(2026, 2, 28, 23), utc(2026, 3, 31, 22), PeriodUnit.MONTH, "2026-03")


def test_a_utc_quarter_runs_from_the_first_of_its_first_month() -> None:
    period = period_containing(utc(2026, 8, 20), PeriodUnit.QUARTER, "UTC")
    assert period == Period(utc(2026, 7, 1), utc(2026, 10, 1), PeriodUnit.QUARTER, "2026-Q3")


def test_a_berlin_quarter_starts_at_local_new_year_midnight() -> None:
    period = period_containing(utc(2026, 2, 1), PeriodUnit.QUARTER, BERLIN)
    assert period == Period(
        utc(2025, 12, 31, 23), utc(2026, 3, 31, 22), PeriodUnit.QUARTER, "2026-Q1"
    )


def test_the_last_microsecond_of_march_in_berlin_is_in_the_first_quarter() -> None:
    instant = utc(2026, 3, 31, 22) - timedelta(microseconds=1)
    assert period_containing(instant, PeriodUnit.QUARTER, BERLIN).label == "2026-Q1"


def test_local_midnight_of_april_first_in_berlin_starts_the_second_quarter() -> None:
    period = period_containing(utc(2026, 3, 31, 22), PeriodUnit.QUARTER, BERLIN)
    assert period.label == "2026-Q2"
    assert period.start == utc(2026, 3, 31, 22)
    assert period.end == utc(2026, 6, 30, 22)


def test_the_fourth_quarter_in_berlin_ends_at_local_new_year_midnight() -> None:
    period = period_containing(utc(2026, 11, 1), PeriodUnit.QUARTER, BERLIN)
    assert (period.label, period.start, period.end) == (
        "2026-Q4",
        utc(2026, 9, 30, 22),
        utc(2026, 12, 31, 23),
    )


def test_an_instant_given_in_another_offset_is_placed_by_its_moment() -> None:
    instant = datetime(2026, 6, 15, 1, 0, tzinfo=ZoneInfo("America/New_York"))  # 05:00 UTC
    assert period_containing(instant, PeriodUnit.DAY, "UTC").label == "2026-06-15"


def test_period_boundaries_are_in_utc() -> None:
    period = period_containing(local(BERLIN, 2026, 6, 15, 12), PeriodUnit.DAY, BERLIN)
    assert period.start.utcoffset() == timedelta(0)
    assert period.end.utcoffset() == timedelta(0)


# Daylight saving time


def test_march_in_berlin_lasts_743_hours() -> None:
    period = period_starting("2026-03", PeriodUnit.MONTH, BERLIN)
    assert period.duration == hours(743)


def test_october_in_berlin_lasts_745_hours() -> None:
    period = period_starting("2026-10", PeriodUnit.MONTH, BERLIN)
    assert period.duration == hours(745)


def test_the_berlin_spring_forward_day_lasts_23_hours() -> None:
    period = period_starting("2026-03-29", PeriodUnit.DAY, BERLIN)
    assert (period.start, period.end) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert period.duration == hours(23)


def test_the_berlin_fall_back_day_lasts_25_hours() -> None:
    period = period_starting("2026-10-25", PeriodUnit.DAY, BERLIN)
    assert (period.start, period.end) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert period.duration == hours(25)


def test_a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() -> None:
    # Santiago: 2026-09-05 23:59:59 -04 is followed by 2026-09-06 01:00:00 -03 (04:00 UTC).
    period = period_starting("2026-09-06", PeriodUnit.DAY, SANTIAGO)
    assert period.start == utc(2026, 9, 6, 4)
    assert period.duration == hours(23)


def test_the_day_before_a_skipped_midnight_ends_when_the_clocks_jump() -> None:
    period = period_starting("2026-09-05", PeriodUnit.DAY, SANTIAGO)
    assert (period.start, period.end) == (utc(2026, 9, 5, 4), utc(2026, 9, 6, 4))


def test_a_havana_day_whose_midnight_is_skipped_starts_at_local_one_oclock() -> None:
    period = period_starting("2026-03-08", PeriodUnit.DAY, HAVANA)
    assert period.start == utc(2026, 3, 8, 5)
    assert period.start.astimezone(ZoneInfo(HAVANA)).hour == 1
    assert period.duration == hours(23)


def test_a_midnight_inside_a_gap_starts_the_day_when_the_clocks_jump() -> None:
    # Toronto, 1919: 23:29:59 -05 on 30 March was followed by 00:30 -04 on 31 March.
    period = period_starting("1919-03-31", PeriodUnit.DAY, "America/Toronto")
    assert period.start == utc(1919, 3, 31, 4, 30)


def test_a_day_the_zone_skipped_is_empty_and_next_period_passes_over_it() -> None:
    # Samoa went from 2011-12-29 23:59:59 -10 straight to 2011-12-31 00:00 +14.
    skipped = period_starting("2011-12-30", PeriodUnit.DAY, "Pacific/Apia")
    before = period_starting("2011-12-29", PeriodUnit.DAY, "Pacific/Apia")
    assert skipped.duration == timedelta(0)
    assert next_period(before, "Pacific/Apia").label == "2011-12-31"


def test_a_day_whose_midnight_happens_twice_starts_at_the_first_of_them() -> None:
    # Havana: 00:00-00:59 on 2026-11-01 is lived at -04 (04:00 UTC) and again at -05.
    period = period_starting("2026-11-01", PeriodUnit.DAY, HAVANA)
    assert period.start == utc(2026, 11, 1, 4)
    assert period.duration == hours(25)


def test_a_month_whose_first_midnight_happens_twice_starts_at_the_first_of_them() -> None:
    period = period_starting("2026-11", PeriodUnit.MONTH, HAVANA)
    assert (period.start, period.end) == (utc(2026, 11, 1, 4), utc(2026, 12, 1, 5))


def test_the_second_pass_of_a_repeated_midnight_hour_is_in_the_new_day() -> None:
    second_pass = utc(2026, 11, 1, 5, 30)  # 00:30 -05 in Havana
    assert period_containing(second_pass, PeriodUnit.DAY, HAVANA).label == "2026-11-01"


def test_a_day_ending_in_a_repeated_hour_before_midnight_lasts_25_hours() -> None:
    # Santiago: 2026-04-04 23:59:59 -03 is followed by 2026-04-04 23:00:00 -04.
    period = period_starting("2026-04-04", PeriodUnit.DAY, SANTIAGO)
    assert (period.start, period.end) == (utc(2026, 4, 4, 3), utc(2026, 4, 5, 4))


def test_an_instant_whose_local_date_went_back_belongs_to_the_window_it_falls_in() -> None:
    # Antarctica/Casey, 2010-03-05 02:00 +11 became 2010-03-04 23:00 +08: 15:30 UTC reads
    # 2010-03-04 23:30, after 2010-03-05 had already begun at 13:00 UTC.
    period = period_containing(utc(2010, 3, 4, 15, 30), PeriodUnit.DAY, "Antarctica/Casey")
    assert period.label == "2010-03-05"
    assert period.contains(utc(2010, 3, 4, 15, 30))


# ISO weeks across a year boundary


def test_the_last_day_of_2026_is_in_iso_week_53_of_2026() -> None:
    period = period_containing(utc(2026, 12, 31, 12), PeriodUnit.WEEK, "UTC")
    assert period.label == "2026-W53"


def test_the_first_day_of_2027_is_still_in_iso_week_53_of_2026() -> None:
    period = period_containing(utc(2027, 1, 1, 12), PeriodUnit.WEEK, "UTC")
    assert period == Period(utc(2026, 12, 28), utc(2027, 1, 4), PeriodUnit.WEEK, "2026-W53")


def test_the_week_after_iso_week_53_is_week_1_of_the_next_year() -> None:
    week_53 = period_starting("2026-W53", PeriodUnit.WEEK, BERLIN)
    assert next_period(week_53, BERLIN).label == "2027-W01"


def test_a_week_can_belong_to_the_next_iso_year() -> None:
    # 2024-12-30 is the Monday of 2025-W01.
    assert period_containing(utc(2024, 12, 31), PeriodUnit.WEEK, "UTC").label == "2025-W01"


# next_period and period_starting


@pytest.mark.parametrize("unit", list(PeriodUnit))
def test_next_period_chains_without_gaps_or_overlaps(unit: PeriodUnit) -> None:
    period = period_containing(utc(2025, 12, 1), unit, BERLIN)
    for _ in range(60):
        following = next_period(period, BERLIN)
        assert following.start == period.end
        assert following.end > following.start
        assert following.label > period.label
        period = following


def test_next_period_keeps_the_unit() -> None:
    month = period_starting("2026-12", PeriodUnit.MONTH, BERLIN)
    assert next_period(month, BERLIN) == period_starting("2027-01", PeriodUnit.MONTH, BERLIN)


@pytest.mark.parametrize("unit", list(PeriodUnit))
@pytest.mark.parametrize("zone", ["UTC", BERLIN, SANTIAGO, HAVANA])
@pytest.mark.parametrize(
    "instant", [utc(2026, 1, 1), utc(2026, 3, 29, 1), utc(2026, 9, 6, 4), utc(2026, 11, 1, 4, 30)]
)
def test_period_starting_its_own_label_gives_the_same_period(
    unit: PeriodUnit, zone: str, instant: datetime
) -> None:
    period = period_containing(instant, unit, zone)
    assert period_starting(period.label, unit, zone) == period


@pytest.mark.parametrize(
    ("label", "unit", "start"),
    [
        ("2026-03-29", PeriodUnit.DAY, utc(2026, 3, 28, 23)),
        ("2026-W13", PeriodUnit.WEEK, utc(2026, 3, 22, 23)),
        ("2026-03", PeriodUnit.MONTH, utc(2026, 2, 28, 23)),
        ("2026-Q2", PeriodUnit.QUARTER, utc(2026, 3, 31, 22)),
    ],
)
def test_period_starting_reads_each_label_format(
    label: str, unit: PeriodUnit, start: datetime
) -> None:
    period = period_starting(label, unit, BERLIN)
    assert (period.label, period.start) == (label, start)


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("", PeriodUnit.DAY),
        ("2026-3-29", PeriodUnit.DAY),
        ("2026-02-30", PeriodUnit.DAY),
        ("20260329", PeriodUnit.DAY),
        ("2026-03-29T00:00", PeriodUnit.DAY),
        (" 2026-03-29", PeriodUnit.DAY),
        ("2026-W13-1", PeriodUnit.WEEK),
        ("2026-W00", PeriodUnit.WEEK),
        ("2025-W53", PeriodUnit.WEEK),
        ("2026-w13", PeriodUnit.WEEK),
        ("2026-13", PeriodUnit.MONTH),
        ("2026-00", PeriodUnit.MONTH),
        ("٢٠٢٦-٠٣", PeriodUnit.MONTH),
        ("0000-01", PeriodUnit.MONTH),
        ("2026-Q5", PeriodUnit.QUARTER),
        ("2026-Q0", PeriodUnit.QUARTER),
        ("2026-03", PeriodUnit.QUARTER),
        ("2026-Q1", PeriodUnit.MONTH),
        ("9999-12", PeriodUnit.MONTH),
    ],
)
def test_period_starting_refuses_a_malformed_label(label: str, unit: PeriodUnit) -> None:
    with pytest.raises(ValueError):
        period_starting(label, unit, BERLIN)


# periods_between


def test_periods_between_lists_the_twelve_months_of_a_local_year() -> None:
    periods = periods_between(
        utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), PeriodUnit.MONTH, BERLIN
    )
    assert [period.label for period in periods] == [f"2026-{month:02d}" for month in range(1, 13)]


def test_periods_between_lists_every_local_day_of_a_year() -> None:
    periods = periods_between(utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), PeriodUnit.DAY, BERLIN)
    assert len(periods) == 365
    assert sum((period.duration for period in periods), timedelta(0)) == hours(365 * 24)


def test_periods_between_includes_the_periods_partly_inside_the_span() -> None:
    periods = periods_between(utc(2026, 1, 15), utc(2026, 3, 2), PeriodUnit.MONTH, "UTC")
    assert [period.label for period in periods] == ["2026-01", "2026-02", "2026-03"]


def test_periods_between_excludes_the_period_starting_at_the_end() -> None:
    periods = periods_between(utc(2026, 1, 1), utc(2026, 4, 1), PeriodUnit.QUARTER, "UTC")
    assert [period.label for period in periods] == ["2026-Q1"]


def test_periods_between_crosses_a_year_boundary_in_iso_weeks() -> None:
    periods = periods_between(utc(2026, 12, 20), utc(2027, 1, 12), PeriodUnit.WEEK, "UTC")
    assert [period.label for period in periods] == [
        "2026-W51",
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
    ]


def test_periods_between_is_empty_when_the_span_is_empty() -> None:
    assert periods_between(utc(2026, 5, 1), utc(2026, 5, 1), PeriodUnit.DAY, BERLIN) == []


def test_periods_between_is_empty_when_the_end_is_before_the_start() -> None:
    assert periods_between(utc(2026, 5, 2), utc(2026, 5, 1), PeriodUnit.DAY, BERLIN) == []


# Schedules


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


# scheduled_duration


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


# Refused inputs

NAIVE = datetime(2026, 3, 29, 12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: period_containing(NAIVE, PeriodUnit.DAY, BERLIN),
        lambda: periods_between(NAIVE, utc(2026, 4, 1), PeriodUnit.DAY, BERLIN),
        lambda: periods_between(utc(2026, 3, 1), NAIVE, PeriodUnit.DAY, BERLIN),
        lambda: schedule_contains(BUSINESS_HOURS, NAIVE, BERLIN),
        lambda: scheduled_duration(BUSINESS_HOURS, NAIVE, utc(2026, 4, 1), BERLIN),
        lambda: scheduled_duration(None, utc(2026, 3, 1), NAIVE, BERLIN),
        lambda: period_starting("2026-03", PeriodUnit.MONTH, "UTC").contains(NAIVE),
    ],
    ids=[
        "period_containing",
        "periods_between start",
        "periods_between end",
        "schedule_contains",
        "scheduled_duration start",
        "scheduled_duration end",
        "Period.contains",
    ],
)
def test_a_naive_datetime_is_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "localtime", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="IANA time zone"):
        period_containing(utc(2026, 3, 1), PeriodUnit.DAY, zone)
