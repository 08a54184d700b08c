"""Measurements: per-day streams and their events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.agreement import Agreement
from domain.errors import InvalidArgumentError
from domain.instants import to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events, validate_batch
from tests.unit.measurements.readings import MICROSECOND, MIDNIGHT, NOON, counts, sample
from tests.unit.refusals import violated_fields

RECORDED_AT = datetime(2024, 3, 11, 0, 5, tzinfo=UTC)


def test_a_batch_spanning_utc_midnight_goes_to_two_day_streams() -> None:
    before = counts(1, 1, at=MIDNIGHT - MICROSECOND, measurement_id="late")
    after = counts(1, 1, at=MIDNIGHT, measurement_id="early")

    groups = group_by_stream("sla-1", [before, after])

    assert groups == {
        "agreement:sla-1/objective:availability/day:2024-03-10": [before],
        "agreement:sla-1/objective:availability/day:2024-03-11": [after],
    }


def test_readings_of_different_objectives_go_to_different_streams() -> None:
    groups = group_by_stream("sla-1", [counts(1, 1), sample(0.3)])

    assert sorted(groups) == [
        "agreement:sla-1/objective:availability/day:2024-03-10",
        "agreement:sla-1/objective:latency-p99/day:2024-03-10",
    ]


def test_readings_keep_their_arrival_order_within_a_stream() -> None:
    batch = [counts(1, 1, at=NOON + timedelta(hours=h), measurement_id=f"m-{h}") for h in (3, 1, 2)]

    groups = group_by_stream("sla-1", batch)

    assert list(groups.values()) == [batch]


def test_readings_before_the_epoch_go_to_their_own_utc_day() -> None:
    reading = counts(1, 1, at=datetime(1969, 12, 31, 23, 0, tzinfo=UTC))

    assert list(group_by_stream("sla-1", [reading])) == [
        "agreement:sla-1/objective:availability/day:1969-12-31"
    ]


def test_each_event_is_the_next_version_of_its_stream() -> None:
    groups = group_by_stream(
        "sla-1", [counts(1, 1, at=MIDNIGHT - MICROSECOND), counts(1, 1, at=MIDNIGHT)]
    )
    heads = {"agreement:sla-1/objective:availability/day:2024-03-10": 4}

    events = measured_events("sla-1", groups, heads, RECORDED_AT)

    assert [(event.originator_id, event.originator_version) for event in events] == [
        ("agreement:sla-1/objective:availability/day:2024-03-10", 5),
        ("agreement:sla-1/objective:availability/day:2024-03-11", 1),
    ]


def test_an_event_names_its_agreement_objective_and_utc_day() -> None:
    groups = group_by_stream("sla-1", [counts(1, 1, at=NOON)])

    [event] = measured_events("sla-1", groups, {}, RECORDED_AT)

    assert (event.agreement_id, event.objective_id, event.day) == (
        "sla-1",
        "availability",
        datetime(2024, 3, 10, tzinfo=UTC),
    )


def test_an_event_is_timestamped_with_the_record_time() -> None:
    groups = group_by_stream("sla-1", [counts(1, 1)])

    [event] = measured_events("sla-1", groups, {}, RECORDED_AT)

    assert event.timestamp == RECORDED_AT


def test_an_event_gives_back_its_readings_unchanged() -> None:
    batch = [
        counts(7, 9, at=NOON, measurement_id="m-1"),
        counts(3, 3, at=NOON + MICROSECOND),
        Measurement(
            "availability", "m-3", to_epoch_us(NOON), good=0, total=0, labels={"region": "eu"}
        ),
    ]
    groups = group_by_stream("sla-1", batch)

    [event] = measured_events("sla-1", groups, {}, RECORDED_AT)

    assert event.measurements() == batch


def test_an_event_gives_back_sample_readings_unchanged() -> None:
    batch = [sample(0.125, measurement_id="p-1"), sample(-2.5e-300)]
    groups = group_by_stream("sla-1", batch)

    [event] = measured_events("sla-1", groups, {}, RECORDED_AT)

    assert event.measurements() == batch


def test_a_reading_observed_beyond_the_allowed_clock_skew_refuses_the_batch(
    agreement: Agreement,
) -> None:
    latest = to_epoch_us(NOON)
    batch = [counts(1, 1), counts(1, 1, at=NOON + MICROSECOND)]

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", batch, latest_us=latest)

    assert violated_fields(error) == ["measurements[1].observed_at"]
