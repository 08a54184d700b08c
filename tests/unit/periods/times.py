"""Time zones, schedules and instants the period tests share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.objectives import Schedule

BERLIN = "Europe/Berlin"
# Chile moves its clocks at 24:00 Saturday: 2026-09-06 00:00 does not exist there.
SANTIAGO = "America/Santiago"
# Cuba moves its clocks at 00:00 (forward) and 01:00 (back): 2026-03-08 00:00 does not exist,
# and 2026-11-01 00:00 happens twice.
HAVANA = "America/Havana"

BUSINESS_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=8 * 60, end_minute=18 * 60)


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
