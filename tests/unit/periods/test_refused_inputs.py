"""Period and schedule inputs the calendar refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.periods import (
    period_containing,
    period_starting,
    periods_between,
    schedule_contains,
    scheduled_duration,
)
from domain.terms import PeriodUnit
from tests.unit.periods.times import BERLIN, BUSINESS_HOURS, utc

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
