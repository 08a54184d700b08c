"""Measurements: instants and batch validation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.agreement import Agreement
from domain.errors import InvalidArgumentError, NotFoundError
from domain.instants import from_epoch_us, to_epoch_us
from domain.measurements import Measurement, validate_batch
from domain.terms import AgreementTerms, Objective
from tests.unit.measurements.readings import MICROSECOND, MIDNIGHT, NOON, Sign, counts, sample
from tests.unit.refusals import violated_fields

MakeTerms = Callable[..., AgreementTerms]
MakeObjective = Callable[..., Objective]


def test_epoch_microseconds_round_trip_to_the_same_instant() -> None:
    assert from_epoch_us(to_epoch_us(NOON + 7 * MICROSECOND)) == NOON + 7 * MICROSECOND


def test_a_reading_reports_its_observation_time_in_utc() -> None:
    assert counts(1, 1, at=NOON).observed_at == NOON


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
