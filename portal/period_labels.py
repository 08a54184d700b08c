"""The window a period label names in an agreement's time zone ("2026-03", "2026-W13", ...)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


def _bounds(label: str) -> tuple[date, date]:
    """The first local day of the period and the first of the next one; ValueError otherwise."""
    if match := _DAY.fullmatch(label):
        first = date(int(match[1]), int(match[2]), int(match[3]))
        return first, first + timedelta(days=1)
    if match := _WEEK.fullmatch(label):
        first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return first, first + timedelta(days=7)
    if match := _QUARTER.fullmatch(label):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        return first, date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    if match := _MONTH.fullmatch(label):
        year, month = int(match[1]), int(match[2])
        first = date(year, month, 1)
        return first, date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    raise ValueError(f"not a period label: {label!r}")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant of a local midnight (the ledger's own windows are authoritative near DST)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def period_window(label: str, time_zone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the period a label names; ValueError for a bad label or zone."""
    first, after = _bounds(label)
    try:
        zone = ZoneInfo(time_zone)
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown time zone {time_zone!r}") from error
    return _local_midnight(first, zone), _local_midnight(after, zone)


def local_day(instant: datetime, time_zone: str) -> date:
    """The local date an instant falls on in the zone."""
    return instant.astimezone(ZoneInfo(time_zone)).date()
