"""Counted time on a schedule: how much lies in a span and when an amount has passed."""

from __future__ import annotations

from domain.business_time import counted_us, instant_passing
from tests.unit.cases.timelines import HOUR_US, OFFICE_HOURS, at

BERLIN = "Europe/Berlin"


def test_without_a_schedule_every_microsecond_counts() -> None:
    assert (
        counted_us(None, at("2026-12-05T00:00:00+00:00"), at("2026-12-06T00:00:00+00:00"), "UTC")
        == 24 * HOUR_US
    )


def test_a_weekend_counts_nothing_on_office_hours() -> None:
    # Saturday 2026-12-05 and Sunday 2026-12-06.
    saturday, monday = at("2026-12-05T00:00:00+01:00"), at("2026-12-07T00:00:00+01:00")
    assert counted_us(OFFICE_HOURS, saturday, monday, BERLIN) == 0


def test_the_target_passes_at_the_start_of_the_next_office_day_when_it_ran_out_at_closing() -> None:
    # From Friday 2026-12-04 09:00 CET, 8 office hours run out at 17:00; the clock passes them at
    # the first counted microsecond after: Monday 09:00 CET.
    start = at("2026-12-04T09:00:00+01:00")
    assert instant_passing(OFFICE_HOURS, start, 8 * HOUR_US, BERLIN) == at(
        "2026-12-07T09:00:00+01:00"
    )


def test_an_amount_ending_inside_office_hours_passes_where_it_ends() -> None:
    start = at("2026-12-01T16:00:00+01:00")  # Tuesday
    # 1 h on Tuesday, 2 h on Wednesday: Wednesday 11:00 CET.
    assert instant_passing(OFFICE_HOURS, start, 3 * HOUR_US, BERLIN) == at(
        "2026-12-02T11:00:00+01:00"
    )


def test_a_start_before_office_hours_counts_from_opening() -> None:
    start = at("2026-12-01T06:00:00+01:00")
    assert instant_passing(OFFICE_HOURS, start, HOUR_US, BERLIN) == at("2026-12-01T10:00:00+01:00")
