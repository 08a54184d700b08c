"""Worked examples: the cumulative target line, goal x d/n at the end of local day d."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.target_line import local_days, target_line

NEW_YORK = "America/New_York"
# March 2026 in New York: from 03-01 00:00 EST (05:00Z) to 04-01 00:00 EDT (04:00Z); the clocks
# go forward on 03-08, a day of 23 hours. 31 local days, 743 hours.
MARCH_START = datetime(2026, 3, 1, 5, tzinfo=UTC)
MARCH_END = datetime(2026, 4, 1, 4, tzinfo=UTC)
GOAL = Decimal(100)


def line_at(at: datetime, goal: Decimal = GOAL) -> Decimal:
    """The line of goal over March in New York at instant at."""
    return target_line(goal, MARCH_START, MARCH_END, at, NEW_YORK)


def test_the_line_at_the_end_of_15_march_in_new_york_is_15_31_of_the_goal() -> None:
    # End of 15 March = 16 March 00:00 EDT = 04:00Z; 100 x 15/31 = 48.387096774...
    assert line_at(datetime(2026, 3, 16, 4, tzinfo=UTC)).quantize(Decimal("0.000001")) == Decimal(
        "48.387097"
    )


def test_the_line_at_the_end_of_the_short_dst_day_is_8_31_of_the_goal() -> None:
    # 8 March lasts 23 hours (05:00Z to 04:00Z next day); its end is day 8 of 31.
    assert line_at(datetime(2026, 3, 9, 4, tzinfo=UTC)) * 31 == Decimal(800)


def test_within_the_short_dst_day_the_line_moves_by_its_elapsed_hours() -> None:
    # 8 March 12:00 EDT = 16:00Z: 11 of its 23 hours; line = 100 x (7 + 11/23) / 31
    # = 17200 / 713 = 24.1234221...
    line = line_at(datetime(2026, 3, 8, 16, tzinfo=UTC))
    assert line.quantize(Decimal("0.000001")) == Decimal("24.123422")


def test_the_line_is_zero_at_the_window_start_and_the_goal_at_its_end() -> None:
    assert (line_at(MARCH_START), line_at(MARCH_END)) == (Decimal(0), GOAL)


def test_a_line_that_is_a_whole_number_is_exactly_that_number() -> None:
    # End of 7 March: 3100 x 7/31 = 700, exactly, so 700 achieved is on the line, not below it.
    assert line_at(datetime(2026, 3, 8, 5, tzinfo=UTC), Decimal(3100)) == Decimal(700)


def test_the_line_at_the_end_of_every_local_day_is_d_31_of_the_goal() -> None:
    ends = [day.end for day in local_days(MARCH_START, MARCH_END, NEW_YORK)]

    assert [line_at(end) * 31 for end in ends] == [Decimal(100 * d) for d in range(1, 32)]


def test_a_month_in_new_york_has_31_local_days_one_of_them_23_hours_long() -> None:
    days = local_days(MARCH_START, MARCH_END, NEW_YORK)

    lengths = [day.end - day.start for day in days]
    assert len(days) == 31
    assert lengths.count(timedelta(hours=23)) == 1
    assert days[7].day.isoformat() == "2026-03-08"
    assert lengths[7] == timedelta(hours=23)


def test_a_window_cut_by_its_term_start_counts_the_cut_day_as_one_day() -> None:
    # Term starts 03-31 12:00 EDT (16:00Z): the window holds a half day, 31 March, only.
    start = datetime(2026, 3, 31, 16, tzinfo=UTC)
    # 18:00 EDT (22:00Z) is 6 of the day's 12 hours left: half the goal.
    assert target_line(GOAL, start, MARCH_END, datetime(2026, 3, 31, 22, tzinfo=UTC), NEW_YORK) == (
        Decimal(50)
    )
