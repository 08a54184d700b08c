"""A ledger period as an OpenSLO timeWindow and back.

The ledger judges calendar windows in the agreement's time zone (docs/semantics.md, Windows):
a day, an ISO week, a month or a quarter, each starting at local midnight. They are OpenSLO's
calendar-aligned windows 1d, 1w, 1M and 1Q whose calendar starts at such a midnight.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.generated.sla.ledger.v1 import terms_pb2 as terms

DURATIONS = {
    terms.PERIOD_UNIT_DAY: "1d",
    terms.PERIOD_UNIT_WEEK: "1w",
    terms.PERIOD_UNIT_MONTH: "1M",
    terms.PERIOD_UNIT_QUARTER: "1Q",
}
_PERIODS = {
    "1d": terms.PERIOD_UNIT_DAY,
    "24h": terms.PERIOD_UNIT_DAY,
    "1w": terms.PERIOD_UNIT_WEEK,
    "7d": terms.PERIOD_UNIT_WEEK,
    "1M": terms.PERIOD_UNIT_MONTH,
    "1Q": terms.PERIOD_UNIT_QUARTER,
    "3M": terms.PERIOD_UNIT_QUARTER,
}
START_FORMAT = "%Y-%m-%d %H:%M:%S"


def time_window(period: terms.PeriodUnit, time_zone: str, term_start: datetime) -> dict[str, Any]:
    """The calendar-aligned window of a period unit, its calendar starting at the local start
    of the period that holds the term start."""
    return {
        "duration": DURATIONS[period],
        "calendar": {
            "startTime": period_start(period, time_zone, term_start).strftime(START_FORMAT),
            "timeZone": time_zone,
        },
        "isRolling": False,
    }


def period_start(period: terms.PeriodUnit, time_zone: str, instant: datetime) -> datetime:
    """The local (naive) midnight that starts the period holding an instant."""
    try:
        zone: ZoneInfo | None = ZoneInfo(time_zone) if time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = instant.astimezone(zone or UTC).replace(tzinfo=None)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == terms.PERIOD_UNIT_WEEK:
        return day - timedelta(days=day.weekday())
    if period == terms.PERIOD_UNIT_MONTH:
        return day.replace(day=1)
    if period == terms.PERIOD_UNIT_QUARTER:
        return day.replace(day=1, month=3 * ((day.month - 1) // 3) + 1)
    return day


def period_of_window(duration: str, rolling: bool) -> terms.PeriodUnit:
    """The period unit a window's duration names; PERIOD_UNIT_UNSPECIFIED when none does."""
    del rolling  # a rolling window of the same length is taken as the calendar window
    return _PERIODS.get(duration, terms.PERIOD_UNIT_UNSPECIFIED)


def is_period_start(period: terms.PeriodUnit, start: datetime) -> bool:
    """Whether a local start time is a midnight that starts a period of the unit."""
    return period_start(period, "", start.replace(tzinfo=UTC)) == start


def parse_start_time(text: str) -> datetime | None:
    """A calendar startTime (`2020-01-21 12:30:00`, or with a 'T'); None when it is not one."""
    for pattern in (START_FORMAT, "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007 - OpenSLO's is local time
        except ValueError:
            continue
    return None
