"""Stepping through periods: next_period, period_starting and periods_between."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.periods import next_period, period_containing, period_starting, periods_between
from domain.terms import PeriodUnit
from tests.unit.periods.times import BERLIN, HAVANA, SANTIAGO, hours, utc


@pytest.mark.parametrize("unit", list(PeriodUnit))
def test_next_period_chains_without_gaps_or_overlaps(unit: PeriodUnit) -> None:
    period = period_containing(utc(2025, 12, 1), unit, BERLIN)
    for _ in range(60):
        following = next_period(period, BERLIN)
        assert following.start == period.end
        assert following.end > following.start
        assert following.label > period.label
        period = following


def test_next_period_keeps_the_unit() -> None:
    month = period_starting("2026-12", PeriodUnit.MONTH, BERLIN)
    assert next_period(month, BERLIN) == period_starting("2027-01", PeriodUnit.MONTH, BERLIN)


@pytest.mark.parametrize("unit", list(PeriodUnit))
@pytest.mark.parametrize("zone", ["UTC", BERLIN, SANTIAGO, HAVANA])
@pytest.mark.parametrize(
    "instant", [utc(2026, 1, 1), utc(2026, 3, 29, 1), utc(2026, 9, 6, 4), utc(2026, 11, 1, 4, 30)]
)
def test_period_starting_its_own_label_gives_the_same_period(
    unit: PeriodUnit, zone: str, instant: datetime
) -> None:
    period = period_containing(instant, unit, zone)
    assert period_starting(period.label, unit, zone) == period


@pytest.mark.parametrize(
    ("label", "unit", "start"),
    [
        ("2026-03-29", PeriodUnit.DAY, utc(2026, 3, 28, 23)),
        ("2026-W13", PeriodUnit.WEEK, utc(2026, 3, 22, 23)),
        ("2026-03", PeriodUnit.MONTH, utc(2026, 2, 28, 23)),
        ("2026-Q2", PeriodUnit.QUARTER, utc(2026, 3, 31, 22)),
    ],
)
def test_period_starting_reads_each_label_format(
    label: str, unit: PeriodUnit, start: datetime
) -> None:
    period = period_starting(label, unit, BERLIN)
    assert (period.label, period.start) == (label, start)


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("", PeriodUnit.DAY),
        ("2026-3-29", PeriodUnit.DAY),
        ("2026-02-30", PeriodUnit.DAY),
        ("20260329", PeriodUnit.DAY),
        ("2026-03-29T00:00", PeriodUnit.DAY),
        (" 2026-03-29", PeriodUnit.DAY),
        ("2026-W13-1", PeriodUnit.WEEK),
        ("2026-W00", PeriodUnit.WEEK),
        ("2025-W53", PeriodUnit.WEEK),
        ("2026-w13", PeriodUnit.WEEK),
        ("2026-13", PeriodUnit.MONTH),
        ("2026-00", PeriodUnit.MONTH),
        ("٢٠٢٦-٠٣", PeriodUnit.MONTH),
        ("0000-01", PeriodUnit.MONTH),
        ("2026-Q5", PeriodUnit.QUARTER),
        ("2026-Q0", PeriodUnit.QUARTER),
        ("2026-03", PeriodUnit.QUARTER),
        ("2026-Q1", PeriodUnit.MONTH),
        ("9999-12", PeriodUnit.MONTH),
    ],
)
def test_period_starting_refuses_a_malformed_label(label: str, unit: PeriodUnit) -> None:
    with pytest.raises(ValueError):
        period_starting(label, unit, BERLIN)


def test_periods_between_lists_the_twelve_months_of_a_local_year() -> None:
    periods = periods_between(
        utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), PeriodUnit.MONTH, BERLIN
    )
    assert [period.label for period in periods] == [f"2026-{month:02d}" for month in range(1, 13)]


def test_periods_between_lists_every_local_day_of_a_year() -> None:
    periods = periods_between(utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), PeriodUnit.DAY, BERLIN)
    assert len(periods) == 365
    assert sum((period.duration for period in periods), timedelta(0)) == hours(365 * 24)


def test_periods_between_includes_the_periods_partly_inside_the_span() -> None:
    periods = periods_between(utc(2026, 1, 15), utc(2026, 3, 2), PeriodUnit.MONTH, "UTC")
    assert [period.label for period in periods] == ["2026-01", "2026-02", "2026-03"]


def test_periods_between_excludes_the_period_starting_at_the_end() -> None:
    periods = periods_between(utc(2026, 1, 1), utc(2026, 4, 1), PeriodUnit.QUARTER, "UTC")
    assert [period.label for period in periods] == ["2026-Q1"]


def test_periods_between_crosses_a_year_boundary_in_iso_weeks() -> None:
    periods = periods_between(utc(2026, 12, 20), utc(2027, 1, 12), PeriodUnit.WEEK, "UTC")
    assert [period.label for period in periods] == [
        "2026-W51",
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
    ]


def test_periods_between_is_empty_when_the_span_is_empty() -> None:
    assert periods_between(utc(2026, 5, 1), utc(2026, 5, 1), PeriodUnit.DAY, BERLIN) == []


def test_periods_between_is_empty_when_the_end_is_before_the_start() -> None:
    assert periods_between(utc(2026, 5, 2), utc(2026, 5, 1), PeriodUnit.DAY, BERLIN) == []
