"""RecordMeasurements through the servicer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.protobuf.message import Message

from domain.errors import Violations
from service.api.mapping.measurements import measurements_from_proto
from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
Reading = Callable[..., terms_pb2.Measurement]
AllEvents = Callable[[str], list[events_pb2.LedgerEvent]]

FIRST_MINUTE = datetime(2026, 2, 1, tzinfo=UTC)


def _minutes(reading: Reading, count: int, objective_id: str = "availability") -> list[Any]:
    return [reading(objective_id, FIRST_MINUTE + timedelta(minutes=i)) for i in range(count)]


def _record(agreement_id: str, readings: list[Any]) -> ledger_service_pb2.RecordMeasurementsRequest:
    return ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id=agreement_id, measurements=readings
    )


def test_a_batch_with_an_unknown_objective_is_invalid_argument(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    readings = [*_minutes(reading, 2), reading("no-such-objective", FIRST_MINUTE)]

    ended = invoke("RecordMeasurements", _record("sla-1", readings))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "measurements[2].objective_id" in ended.details


def test_a_batch_with_an_unknown_objective_writes_nothing(
    invoke: Invoke,
    invoke_ok: Invoke,
    sign_request: SignRequest,
    reading: Reading,
    all_events: AllEvents,
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    readings = [*_minutes(reading, 2), reading("no-such-objective", FIRST_MINUTE)]

    invoke("RecordMeasurements", _record("sla-1", readings))

    assert [event.WhichOneof("payload") for event in all_events("")] == ["agreement_signed"]


def test_a_batch_refused_for_an_unknown_objective_leaves_its_readings_recordable(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke(
        "RecordMeasurements",
        _record("sla-1", [*_minutes(reading, 2), reading("nope", FIRST_MINUTE)]),
    )

    response = invoke_ok("RecordMeasurements", _record("sla-1", _minutes(reading, 2)))

    assert (response.recorded_count, response.duplicate_count) == (2, 0)


def test_a_batch_names_every_unknown_objective_in_its_bad_request(
    invoke_ok: Invoke,
    invoke_directly: Invoke,
    sign_request: SignRequest,
    reading: Reading,
    bad_request_fields: Callable[[Any], list[str]],
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    readings = [reading("nope", FIRST_MINUTE), *_minutes(reading, 1), reading("nope", FIRST_MINUTE)]

    context = invoke_directly("RecordMeasurements", _record("sla-1", readings))

    assert bad_request_fields(context.trailing_metadata) == [
        "measurements[0].objective_id",
        "measurements[2].objective_id",
    ]


def test_recording_new_readings_counts_them_as_recorded(
    invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    response = invoke_ok("RecordMeasurements", _record("sla-1", _minutes(reading, 3)))

    assert (response.recorded_count, response.duplicate_count) == (3, 0)
    assert response.log_position > 1


def test_resending_readings_counts_them_as_duplicates_and_records_nothing(
    invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok("RecordMeasurements", _record("sla-1", _minutes(reading, 3)))

    response = invoke_ok("RecordMeasurements", _record("sla-1", _minutes(reading, 3)))

    assert (response.recorded_count, response.duplicate_count, response.log_position) == (0, 3, 0)


def test_recording_for_an_unknown_agreement_is_not_found(invoke: Invoke, reading: Reading) -> None:
    ended = invoke("RecordMeasurements", _record("no-such-agreement", _minutes(reading, 1)))

    assert ended.code is grpc.StatusCode.NOT_FOUND


def test_a_reading_without_an_observation_time_is_invalid_argument(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    untimed = reading("availability", FIRST_MINUTE)
    untimed.ClearField("observed_at")

    ended = invoke("RecordMeasurements", _record("sla-1", [*_minutes(reading, 1), untimed]))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "measurements[1].observed_at: is required" in ended.details


def test_a_reading_at_the_unix_epoch_is_recorded() -> None:
    epoch = terms_pb2.Measurement(objective_id="availability")
    epoch.observed_at.SetInParent()
    violations = Violations()

    [converted] = measurements_from_proto([epoch], violations)

    assert (list(violations), converted.observed_at_us) == ([], 0)


def test_a_reading_with_negative_nanoseconds_is_invalid_argument(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest, reading: Reading
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    malformed = reading("availability", FIRST_MINUTE)
    malformed.observed_at.nanos = -1

    ended = invoke("RecordMeasurements", _record("sla-1", [malformed]))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "measurements[0].observed_at: must lie from 1970-01-01" in ended.details
