"""Measurements: batch validation, identity and deduplication, per-day streams and events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.agreement import Agreement
from domain.errors import InvalidArgumentError, NotFoundError
from domain.instants import from_epoch_us, to_epoch_us
from domain.measurements import (
    Measurement,
    deduplicate,
    group_by_stream,
    measured_events,
    validate_batch,
)
from domain.terms import AgreementTerms, Objective
from service.store.measurement_keys import measurement_keys


def key_of(agreement_id: str, reading: Measurement) -> bytes:
    """The key the ledger indexes one reading by."""
    return measurement_keys(agreement_id, [reading])[0]


Sign = Callable[..., Agreement]
MakeTerms = Callable[..., AgreementTerms]
MakeObjective = Callable[..., Objective]

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2024, 3, 11, tzinfo=UTC)
RECORDED_AT = datetime(2024, 3, 11, 0, 5, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def counts(
    good: int,
    total: int,
    at: datetime = NOON,
    measurement_id: str = "",
    objective_id: str = "availability",
) -> Measurement:
    return Measurement(objective_id, measurement_id, to_epoch_us(at), good=good, total=total)


def sample(
    value: float,
    at: datetime = NOON,
    measurement_id: str = "",
    objective_id: str = "latency-p99",
) -> Measurement:
    return Measurement(objective_id, measurement_id, to_epoch_us(at), sample=value)


def violated_fields(error: pytest.ExceptionInfo[InvalidArgumentError]) -> list[str]:
    return [violation.field for violation in error.value.violations]


@pytest.fixture
def agreement(sign: Sign) -> Agreement:
    """Agreement sla-1 with objectives "availability" and "latency-p99"."""
    return sign(agreement_id="sla-1")


# Time


def test_epoch_microseconds_round_trip_to_the_same_instant() -> None:
    assert from_epoch_us(to_epoch_us(NOON + 7 * MICROSECOND)) == NOON + 7 * MICROSECOND


def test_a_reading_reports_its_observation_time_in_utc() -> None:
    assert counts(1, 1, at=NOON).observed_at == NOON


# Validating a batch


def test_a_batch_for_a_missing_agreement_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        validate_batch(None, "sla-404", [counts(1, 1)])


def test_a_well_formed_batch_is_accepted(agreement: Agreement) -> None:
    validate_batch(agreement, "sla-1", [counts(99, 100, measurement_id="m-1"), sample(0.25)])


def test_an_empty_batch_is_refused(agreement: Agreement) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [])

    assert violated_fields(error) == ["measurements"]


def test_a_reading_of_an_unknown_objective_is_refused_at_its_index(agreement: Agreement) -> None:
    batch = [counts(1, 1), counts(1, 1, objective_id="throughput")]

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", batch)

    assert violated_fields(error) == ["measurements[1].objective_id"]


def test_a_reading_of_an_objective_from_an_earlier_terms_version_is_accepted(
    sign: Sign, make_terms: MakeTerms, make_objective: MakeObjective
) -> None:
    agreement = sign(agreement_id="sla-1")
    agreement.amend(
        make_terms(objectives=(make_objective(objective_id="uptime"),)),
        MIDNIGHT,
        retroactive=False,
        reason="",
        recorded_at=MIDNIGHT,
    )

    validate_batch(agreement, "sla-1", [counts(1, 1, objective_id="availability")])


def test_more_good_than_total_events_is_refused(agreement: Agreement) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [counts(good=11, total=10)])

    assert violated_fields(error) == ["measurements[0].counts.good"]


def test_as_many_good_as_total_events_is_accepted(agreement: Agreement) -> None:
    validate_batch(agreement, "sla-1", [counts(good=10, total=10)])


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_sample_is_refused(agreement: Agreement, value: float) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [sample(value)])

    assert violated_fields(error) == ["measurements[0].sample"]


def test_a_reading_with_neither_counts_nor_sample_is_refused(agreement: Agreement) -> None:
    reading = Measurement("availability", "m-1", to_epoch_us(NOON))

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [reading])

    assert violated_fields(error) == ["measurements[0]"]


def test_a_reading_with_good_but_no_total_is_refused(agreement: Agreement) -> None:
    reading = Measurement("availability", "m-1", to_epoch_us(NOON), good=5)

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [reading])

    assert violated_fields(error) == ["measurements[0]"]


@pytest.mark.parametrize("measurement_id", ["has space", "a/b", "@123", "x" * 129])
def test_a_malformed_measurement_id_is_refused(agreement: Agreement, measurement_id: str) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [counts(1, 1, measurement_id=measurement_id)])

    assert violated_fields(error) == ["measurements[0].measurement_id"]


def test_a_reading_without_measurement_id_is_accepted(agreement: Agreement) -> None:
    validate_batch(agreement, "sla-1", [counts(1, 1, measurement_id="")])


def test_too_many_labels_are_refused(agreement: Agreement) -> None:
    labels = {f"k{i}": "v" for i in range(17)}
    reading = Measurement("availability", "", to_epoch_us(NOON), good=1, total=1, labels=labels)

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", [reading])

    assert violated_fields(error) == ["measurements[0].labels"]


def test_the_whole_batch_is_refused_for_one_bad_reading(agreement: Agreement) -> None:
    batch = [counts(1, 1, measurement_id="m-1"), sample(0.5), counts(3, 2, measurement_id="m-3")]

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", batch)

    assert violated_fields(error) == ["measurements[2].counts.good"]


def test_every_bad_reading_of_a_batch_is_named(agreement: Agreement) -> None:
    batch = [sample(float("nan")), counts(1, 1), counts(1, 1, objective_id="nope")]

    with pytest.raises(InvalidArgumentError) as error:
        validate_batch(agreement, "sla-1", batch)

    assert violated_fields(error) == ["measurements[0].sample", "measurements[2].objective_id"]


# Identity


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


# Deduplicating


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


# Grouping into streams


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


# Events


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
