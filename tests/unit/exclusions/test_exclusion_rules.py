"""The exclusion rules of the terms: their ranges, the notice maintenance needs, and when an
exclusion waits for acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import FailedPreconditionError
from domain.exclusion_rules import (
    ExclusionRules,
    check_maintenance_notice,
    needs_acknowledgement,
    record_lag,
)
from domain.exclusions import Exclusion, ExclusionKind

START = datetime(2026, 5, 20, 2, tzinfo=UTC)
END = datetime(2026, 5, 20, 4, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def exclusion(kind: ExclusionKind = ExclusionKind.SCHEDULED_MAINTENANCE) -> Exclusion:
    return Exclusion("window-1", START, END, kind, "kernel upgrade")


@pytest.mark.parametrize(
    ("rules", "fields"),
    [
        (ExclusionRules(maintenance_notice_hours=0), ["x.maintenance_notice_hours"]),
        (ExclusionRules(maintenance_notice_hours=8761), ["x.maintenance_notice_hours"]),
        (ExclusionRules(acknowledgement_after_days=-1), ["x.acknowledgement_after_days"]),
        (ExclusionRules(acknowledgement_after_days=3651), ["x.acknowledgement_after_days"]),
        (
            ExclusionRules(maintenance_notice_hours=-5, acknowledgement_after_days=9999),
            ["x.maintenance_notice_hours", "x.acknowledgement_after_days"],
        ),
    ],
)
def test_rules_outside_their_ranges_name_every_field_they_break(
    rules: ExclusionRules, fields: list[str]
) -> None:
    assert [v.field for v in rules.violations("x")] == fields


@pytest.mark.parametrize(
    "rules",
    [
        ExclusionRules(),
        ExclusionRules(maintenance_notice_hours=1, acknowledgement_after_days=0),
        ExclusionRules(maintenance_notice_hours=8760, acknowledgement_after_days=3650),
    ],
)
def test_rules_at_the_ends_of_their_ranges_are_valid(rules: ExclusionRules) -> None:
    assert rules.violations("x") == []


def test_maintenance_recorded_exactly_the_notice_ahead_is_accepted() -> None:
    # 48 h before 2026-05-20 02:00 is 2026-05-18 02:00: exactly the notice required.
    check_maintenance_notice(
        ExclusionRules(maintenance_notice_hours=48), exclusion(), START - 48 * HOUR
    )


def test_maintenance_recorded_a_microsecond_too_late_is_refused() -> None:
    late = START - 48 * HOUR + timedelta(microseconds=1)

    with pytest.raises(FailedPreconditionError, match="maintenance_notice_hours"):
        check_maintenance_notice(ExclusionRules(maintenance_notice_hours=48), exclusion(), late)


def test_maintenance_recorded_after_it_started_says_how_long_after() -> None:
    with pytest.raises(FailedPreconditionError, match="recorded 3 h after its start"):
        check_maintenance_notice(
            ExclusionRules(maintenance_notice_hours=1), exclusion(), START + 3 * HOUR
        )


@pytest.mark.parametrize(
    "kind", [k for k in ExclusionKind if k is not ExclusionKind.SCHEDULED_MAINTENANCE]
)
def test_other_kinds_need_no_notice(kind: ExclusionKind) -> None:
    check_maintenance_notice(ExclusionRules(maintenance_notice_hours=48), exclusion(kind), END)


def test_without_a_notice_rule_maintenance_may_be_recorded_after_the_fact() -> None:
    check_maintenance_notice(ExclusionRules(acknowledgement_after_days=1), exclusion(), END + DAY)
    check_maintenance_notice(None, exclusion(), END + DAY)


def test_the_record_lag_is_negative_when_recorded_before_the_end() -> None:
    # Recorded 2026-05-20 01:00, ends 04:00: lag -3 h. Recorded 05-21 04:00: lag +24 h.
    assert record_lag(exclusion(), START - HOUR) == -3 * HOUR
    assert record_lag(exclusion(), END + DAY) == DAY


def test_an_exclusion_recorded_more_than_m_days_after_its_end_needs_acknowledgement() -> None:
    rules = ExclusionRules(acknowledgement_after_days=30)

    # 30 days and 1 µs after the end: more than 30 days.
    late = END + 30 * DAY + timedelta(microseconds=1)

    assert needs_acknowledgement(rules, exclusion(), late, touches_closed_period=False)


def test_an_exclusion_recorded_exactly_m_days_after_its_end_needs_none() -> None:
    rules = ExclusionRules(acknowledgement_after_days=30)

    assert not needs_acknowledgement(
        rules, exclusion(), END + 30 * DAY, touches_closed_period=False
    )


def test_with_zero_days_any_exclusion_recorded_after_its_end_needs_acknowledgement() -> None:
    rules = ExclusionRules(acknowledgement_after_days=0)

    assert needs_acknowledgement(rules, exclusion(), END + timedelta(microseconds=1), False)
    assert not needs_acknowledgement(rules, exclusion(), END, False)


def test_an_exclusion_touching_a_closed_period_needs_acknowledgement_however_early() -> None:
    rules = ExclusionRules(acknowledgement_after_days=3650)

    assert needs_acknowledgement(rules, exclusion(), END, touches_closed_period=True)


def test_without_the_acknowledgement_rule_nothing_waits() -> None:
    rules = ExclusionRules(maintenance_notice_hours=48)

    assert not needs_acknowledgement(rules, exclusion(), END + 999 * DAY, True)
    assert not needs_acknowledgement(None, exclusion(), END + 999 * DAY, True)
