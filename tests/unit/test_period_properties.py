"""Properties of calendar periods over random instants, zones and units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.periods import next_period, period_containing, periods_between
from domain.terms import PeriodUnit

# No example database: the tests read and write nothing outside memory. Each example converts
# dozens of local midnights, so the per-example deadline is off.
PROPERTY = settings(database=None, max_examples=200, deadline=None)

# Zones with DST, half-hour DST (Lord Howe), a quarter-hour offset (Kathmandu) and changes at
# midnight (Santiago); the range reaches back into each zone's local-mean-time history.
zones = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
    ]
)
units = st.sampled_from(list(PeriodUnit))
instants = st.datetimes(
    min_value=datetime(1880, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@PROPERTY
@given(instant=instants, unit=units, zone=zones)
def test_the_period_containing_an_instant_contains_it(
    instant: datetime, unit: PeriodUnit, zone: str
) -> None:
    period = period_containing(instant, unit, zone)
    assert period.contains(instant)


@PROPERTY
@given(instant=instants, unit=units, zone=zones)
def test_the_next_period_starts_where_a_period_ends(
    instant: datetime, unit: PeriodUnit, zone: str
) -> None:
    period = period_containing(instant, unit, zone)
    following = next_period(period, zone)
    assert following.start == period.end
    assert following.end > following.start


@PROPERTY
@given(start=instants, span=spans, unit=units, zone=zones)
def test_periods_between_cover_the_span_contiguously(
    start: datetime, span: timedelta, unit: PeriodUnit, zone: str
) -> None:
    end = start + span
    periods = periods_between(start, end, unit, zone)
    if span == timedelta(0):
        assert periods == []
        return
    assert periods[0].contains(start)
    assert periods[-1].start < end <= periods[-1].end
    for earlier, later in pairwise(periods):
        assert later.start == earlier.end
