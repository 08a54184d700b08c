"""The portal's own inputs: period labels to windows, and the instants of time travel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.period_labels import period_window
from portal.time_travel import BadQueryError, TimeTravel, parse_instant


def test_a_month_label_is_its_local_month() -> None:
    # Berlin is UTC+1 in winter: December starts at 23:00 UTC on 30 November.
    assert period_window("2026-12", "Europe/Berlin") == (
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2026, 12, 31, 23, tzinfo=UTC),
    )


def test_a_month_across_a_dst_change_is_an_hour_shorter() -> None:
    start, end = period_window("2026-03", "America/New_York")
    assert (start, end) == (
        datetime(2026, 3, 1, 5, tzinfo=UTC),
        datetime(2026, 4, 1, 4, tzinfo=UTC),
    )


def test_a_week_label_is_its_iso_week() -> None:
    # ISO week 13 of 2026 runs from Monday 23 March.
    assert period_window("2026-W13", "UTC") == (
        datetime(2026, 3, 23, tzinfo=UTC),
        datetime(2026, 3, 30, tzinfo=UTC),
    )


def test_a_quarter_label_is_its_three_months() -> None:
    assert period_window("2026-Q4", "UTC") == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_a_day_label_is_its_local_day() -> None:
    assert period_window("2026-03-29", "UTC") == (
        datetime(2026, 3, 29, tzinfo=UTC),
        datetime(2026, 3, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize("label", ["2026-13", "2026-W60", "2026-Q5", "soon", "2026-02-30"])
def test_a_malformed_label_is_refused(label: str) -> None:
    with pytest.raises(ValueError):
        period_window(label, "UTC")


def test_an_instant_with_an_offset_is_read_in_utc() -> None:
    assert parse_instant("as_of", "2026-03-15T13:00:00+01:00") == datetime(
        2026, 3, 15, 12, tzinfo=UTC
    )


def test_an_instant_without_an_offset_is_read_as_utc() -> None:
    assert parse_instant("as_of", "2026-03-15T12:00") == datetime(2026, 3, 15, 12, tzinfo=UTC)


def test_an_empty_instant_means_now() -> None:
    assert TimeTravel.from_args({"as_of": "", "known_at": " "}).is_now


@pytest.mark.parametrize(
    "text", ["yesterday", "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "2026-03-15" + "0" * 60]
)
def test_an_unusable_instant_is_refused_naming_its_field(text: str) -> None:
    with pytest.raises(BadQueryError) as refused:
        parse_instant("known_at", text)
    assert refused.value.field == "known_at"


def test_links_carry_the_instants_in_utc() -> None:
    travel = TimeTravel.from_args({"as_of": "2026-03-15T13:00:00+01:00"})
    assert travel.query() == {"as_of": "2026-03-15T12:00:00Z"}
