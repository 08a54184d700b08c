"""Calendar periods across daylight saving time changes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.periods import next_period, period_containing, period_starting
from domain.terms import PeriodUnit
from tests.unit.periods.times import BERLIN, HAVANA, SANTIAGO, hours, utc


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
