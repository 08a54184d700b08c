"""Period boundaries and labels, in UTC and in Europe/Berlin; ISO weeks over a year's end."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.periods import Period, next_period, period_containing, period_starting
from domain.terms import PeriodUnit
from tests.unit.periods.times import BERLIN, local, utc


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
