"""The target line of a cumulative objective: its goal spread evenly over the window's local days.

At the end of local day d of a window of n local days (days in the agreement's time zone; a day
of 23 or 25 hours is one day, as is a day the window's start or end cuts short) the line stands
at goal x d/n. Within local day d it moves linearly with the elapsed real time of that day, from
goal x (d-1)/n at its start to goal x d/n at its end. Before the window it is 0, at and after
its end the goal. A local day the zone skipped entirely (Pacific/Apia, 2011-12-30) counts as a
day of no length: the line steps over it.

Worked example: March 2026 in America/New_York (31 days, 743 hours: the clocks go forward on the
8th), goal 100: at the end of 15 March (2026-03-16T04:00Z) the line is 100 x 15/31 = 48.387097;
by elapsed time (359 of 743 hours) it would be 48.317631.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext

from domain.instants import to_epoch_us
from domain.periods import Period, period_containing
from domain.terms import PeriodUnit

_PRECISION = 50
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class LocalDay:
    """One local day of a window, cut to the window: [start, end) and its local date."""

    day: date
    start: datetime
    end: datetime


def day_holding(instant: datetime, time_zone: str) -> Period:
    """The local calendar day (in time_zone) that holds instant."""
    return period_containing(instant, PeriodUnit.DAY, time_zone)


def local_days(window_start: datetime, window_end: datetime, time_zone: str) -> list[LocalDay]:
    """The local days of [window_start, window_end) in order, each cut to the window (days the
    zone skipped are left out: they hold no instant)."""
    days: list[LocalDay] = []
    at = window_start
    while at < window_end:
        day = day_holding(at, time_zone)
        end = min(day.end, window_end)
        days.append(LocalDay(date.fromisoformat(day.label), at, end))
        at = end
    return days


def target_line(
    goal: Decimal, window_start: datetime, window_end: datetime, at: datetime, time_zone: str
) -> Decimal:
    """The target line of goal over [window_start, window_end) at instant at (module docstring)."""
    if at <= window_start:
        return Decimal(0)
    if at >= window_end:
        return goal
    first = date.fromisoformat(day_holding(window_start, time_zone).label)
    last = date.fromisoformat(day_holding(window_end - _TICK, time_zone).label)
    today = day_holding(at, time_zone)
    n = (last - first).days + 1
    d = (date.fromisoformat(today.label) - first).days + 1
    day_start_us = to_epoch_us(max(today.start, window_start))
    day_us = to_epoch_us(min(today.end, window_end)) - day_start_us
    elapsed_us = to_epoch_us(at) - day_start_us
    with localcontext() as context:
        context.prec = _PRECISION
        # The goal multiplied first: a line that is a whole number (3100 x 7/31 = 700) is exact.
        return goal * Decimal((d - 1) * day_us + elapsed_us) / Decimal(n * day_us)
