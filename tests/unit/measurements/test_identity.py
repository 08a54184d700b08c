"""Measurements: identity and deduplication."""

from __future__ import annotations

from datetime import timedelta

from domain.measurements import Measurement, deduplicate
from service.store.measurement_keys import measurement_keys
from tests.unit.measurements.readings import MICROSECOND, NOON, counts


def key_of(agreement_id: str, reading: Measurement) -> bytes:
    """The key the ledger indexes one reading by."""
    return measurement_keys(agreement_id, [reading])[0]


def test_readings_with_the_same_id_have_the_same_key_whatever_their_values() -> None:
    first = counts(1, 1, at=NOON, measurement_id="m-1")
    resent = counts(0, 5, at=NOON + timedelta(hours=1), measurement_id="m-1")

    assert key_of("sla-1", first) == key_of("sla-1", resent)


def test_the_same_id_under_another_objective_has_another_key() -> None:
    availability = counts(1, 1, measurement_id="m-1", objective_id="availability")
    latency = counts(1, 1, measurement_id="m-1", objective_id="latency-p99")

    assert key_of("sla-1", availability) != key_of("sla-1", latency)


def test_the_same_reading_under_another_agreement_has_another_key() -> None:
    reading = counts(1, 1, measurement_id="m-1")

    assert key_of("sla-1", reading) != key_of("sla-2", reading)


def test_readings_without_id_observed_at_the_same_instant_have_the_same_key() -> None:
    assert key_of("sla-1", counts(1, 1, at=NOON)) == key_of("sla-1", counts(2, 3, at=NOON))


def test_readings_without_id_observed_at_different_instants_have_different_keys() -> None:
    assert key_of("sla-1", counts(1, 1, at=NOON)) != key_of(
        "sla-1", counts(1, 1, at=NOON + MICROSECOND)
    )


def test_time_slice_keys_of_one_objective_sort_by_observation_time() -> None:
    later, earlier = (
        counts(1, 1, at=NOON + MICROSECOND),
        counts(1, 1, at=NOON - timedelta(days=400)),
    )

    assert (
        key_of("sla-1", earlier) < key_of("sla-1", counts(1, 1, at=NOON)) < key_of("sla-1", later)
    )


def test_a_client_id_key_never_equals_a_time_slice_key() -> None:
    slice_keys = {key_of("sla-1", counts(1, 1, at=NOON))}

    assert key_of("sla-1", counts(1, 1, at=NOON, measurement_id="m-1")) not in slice_keys


def keys_of(batch: list[Measurement]) -> list[bytes]:
    return [key_of("sla-1", reading) for reading in batch]


def test_readings_already_recorded_are_dropped() -> None:
    recorded = counts(1, 1, measurement_id="m-1")
    fresh = counts(1, 1, measurement_id="m-2")
    batch = [recorded, fresh]

    result = deduplicate(batch, keys_of(batch), recorded_keys=keys_of([recorded]))

    assert result.readings == [fresh]


def test_a_reading_repeated_within_a_batch_is_kept_once_and_the_first_wins() -> None:
    first = counts(1, 1, measurement_id="m-1")
    repeat = counts(0, 1, measurement_id="m-1")
    batch = [first, counts(1, 1, measurement_id="m-2"), repeat]

    result = deduplicate(batch, keys_of(batch), recorded_keys=[])

    assert result.readings == [first, batch[1]]


def test_duplicates_of_both_kinds_are_counted() -> None:
    recorded = counts(1, 1, measurement_id="m-1")
    batch = [recorded, counts(1, 1, measurement_id="m-2"), counts(1, 1, measurement_id="m-2")]

    result = deduplicate(batch, keys_of(batch), recorded_keys=keys_of([recorded]))

    assert result.duplicate_count == 2


def test_kept_readings_come_with_their_keys() -> None:
    batch = [counts(1, 1, measurement_id="m-1"), counts(1, 1, measurement_id="m-2")]

    result = deduplicate(batch, keys_of(batch), recorded_keys=keys_of(batch[:1]))

    assert result.keys == keys_of(batch[1:])
