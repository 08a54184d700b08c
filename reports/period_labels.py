"""Period labels as the ledger writes them, read on the client to find an instant inside one.

The ledger decides a period's window (its time zone, DST days included); the statement only
needs an instant surely inside the period named: noon of its first local day. GetCompliance at
that instant then names the window, and the label it answers must be the one asked for.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reports.statement import StatementError

_FORMS = (
    ("day", re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    ("week", re.compile(r"(\d{4})-W(\d{2})")),
    ("month", re.compile(r"(\d{4})-(\d{2})")),
    ("quarter", re.compile(r"(\d{4})-Q([1-4])")),
)
NOON = time(12)


def label_unit(label: str) -> str:
    """The period unit a label is written in: "day", "week", "month" or "quarter"."""
    return _parsed(label)[0]


def first_day(label: str) -> date:
    """The first local day of the period a label names."""
    return _parsed(label)[1]


def label_probe(label: str, time_zone: str) -> datetime:
    """Noon of the period's first local day in the time zone: an instant inside the period."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as unknown:
        raise StatementError(f"unknown time zone {time_zone!r}") from unknown
    return datetime.combine(first_day(label), NOON, tzinfo=zone)


def _parsed(label: str) -> tuple[str, date]:
    for unit, form in _FORMS:
        match = form.fullmatch(label)
        if match is None:
            continue
        numbers = [int(part) for part in match.groups()]
        try:
            return unit, _start(unit, numbers)
        except ValueError:
            break
    raise StatementError(
        f"period {label!r} is not a label: 2026-03-29 (day), 2026-W13 (week), 2026-03 (month) "
        "or 2026-Q1 (quarter)"
    )


def _start(unit: str, numbers: list[int]) -> date:
    if unit == "day":
        return date(*numbers)
    if unit == "week":
        return date.fromisocalendar(numbers[0], numbers[1], 1)
    if unit == "month":
        return date(numbers[0], numbers[1], 1)
    return date(numbers[0], 3 * numbers[1] - 2, 1)
