"""Period labels read on the client: an instant inside the period named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports.period_labels import label_probe, label_unit
from reports.statement import StatementError


@pytest.mark.parametrize(
    ("label", "unit"),
    [("2026-03-29", "day"), ("2026-W13", "week"), ("2026-03", "month"), ("2026-Q1", "quarter")],
)
def test_a_label_names_its_unit(label: str, unit: str) -> None:
    assert label_unit(label) == unit


def test_a_month_is_probed_at_noon_of_its_first_local_day() -> None:
    # 1 March 2026 12:00 in New York (EST, UTC-5) is 17:00 UTC.
    probe = label_probe("2026-03", "America/New_York")

    assert probe.astimezone(UTC) == datetime(2026, 3, 1, 17, tzinfo=UTC)


def test_an_iso_week_is_probed_on_its_monday() -> None:
    # ISO week 13 of 2026 starts on Monday 23 March.
    assert label_probe("2026-W13", "UTC") == datetime(2026, 3, 23, 12, tzinfo=UTC)


def test_a_quarter_is_probed_on_the_first_day_of_its_first_month() -> None:
    assert label_probe("2026-Q3", "UTC") == datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("label", ["March", "2026-13", "2026-02-30", "2026-W54", "2026-Q5", ""])
def test_what_is_no_label_is_refused(label: str) -> None:
    with pytest.raises(StatementError):
        label_unit(label)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(StatementError):
        label_probe("2026-03", "Mars/Olympus")
