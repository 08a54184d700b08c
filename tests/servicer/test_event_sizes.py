"""No event exceeds the size an event may take, stored or in the public schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import FailedPreconditionError
from domain.event_sizes import EVENT_ENVELOPE_BYTES, MAX_EVENT_BYTES, reading_bytes
from domain.instants import MICROSECONDS_PER_DAY, to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AllEvents = Callable[[str], list[events_pb2.LedgerEvent]]

LONG_ID = "o" * 128
DAY = datetime(2026, 2, 1, tzinfo=UTC)
DAY_US = to_epoch_us(DAY)
PROPERTY = settings(database=None, max_examples=60, deadline=None)
# Control characters take 6 bytes in JSON, astral ones 4 in UTF-8: the costliest text there is.
hostile_text = st.text(st.sampled_from(["\x01", '"', "\\", "\U0001f600", "é", "a"]), max_size=128)
hostile_readings = st.builds(
    Measurement,
    objective_id=st.just(LONG_ID),
    measurement_id=st.one_of(st.just(""), st.text("abc019.-_~", min_size=1, max_size=128)),
    observed_at_us=st.integers(DAY_US, DAY_US + MICROSECONDS_PER_DAY - 1),
    good=st.one_of(st.none(), st.integers(0, 2**63 - 1)),
    total=st.just(2**63 - 1),
    sample=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
    labels=st.one_of(st.none(), st.dictionaries(hostile_text, hostile_text, max_size=16)),
)


@pytest.fixture(scope="module")
def mapper_app() -> LedgerApplication:
    """An application in memory: only its mapper is used."""
    return LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@PROPERTY
@given(st.lists(hostile_readings, min_size=1, max_size=30))
def test_the_bytes_counted_for_readings_bound_both_encodings_of_their_event(
    mapper_app: LedgerApplication, batch: list[Measurement]
) -> None:
    groups = group_by_stream("a" * 128, batch)
    [event] = measured_events("a" * 128, groups, {}, DAY, {}, readings_bytes=10**9)
    counted = sum(reading_bytes(r.objective_id, r.measurement_id, r.labels) for r in batch)

    stored = len(mapper_app.mapper.to_stored_event(event).state)
    public = logged_event_to_proto(LoggedEvent(2**62, event)).ByteSize()

    assert stored <= counted + EVENT_ENVELOPE_BYTES
    assert public <= counted + EVENT_ENVELOPE_BYTES


def _readings(count: int) -> list[terms_pb2.Measurement]:
    return [
        terms_pb2.Measurement(
            objective_id=LONG_ID,
            measurement_id=f"reading-{i:08d}",
            observed_at=DAY + timedelta(seconds=i),
            counts=terms_pb2.EventCounts(good=59, total=60),
            labels={"region": "eu-central-1", "priority": "critical"},
        )
        for i in range(count)
    ]


def _long_objective(objective_id: str = LONG_ID, **fields: Any) -> terms_pb2.Objective:
    return terms_pb2.Objective(
        objective_id=objective_id,
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        **fields,
    )


def test_a_batch_too_large_for_one_event_is_stored_as_several_events_of_its_day(
    invoke_ok: Invoke, sign_request: SignRequest, all_events: AllEvents
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1", objectives=[_long_objective()]))
    request = ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id="sla-1", measurements=_readings(10_000)
    )

    recorded = invoke_ok("RecordMeasurements", request)

    measured = [e for e in all_events("sla-1") if e.HasField("metric_measured")]
    assert recorded.recorded_count == 10_000
    assert len(measured) > 1
    assert {e.stream_id for e in measured} == {measured[0].stream_id}
    assert [e.stream_version for e in measured] == list(range(1, len(measured) + 1))
    assert sum(len(e.metric_measured.measurements) for e in measured) == 10_000
    assert max(e.ByteSize() for e in measured) <= MAX_EVENT_BYTES


def test_every_stored_event_of_a_large_batch_stays_within_the_event_size(
    invoke_ok: Invoke, sign_request: SignRequest, ledger_app: LedgerApplication
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1", objectives=[_long_objective()]))
    request = ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id="sla-1", measurements=_readings(10_000)
    )

    invoke_ok("RecordMeasurements", request)

    stored = ledger_app.recorder.select_notifications(start=1, limit=1000)
    assert max(len(n.state) for n in stored) <= MAX_EVENT_BYTES


def test_terms_too_large_for_their_event_are_refused_naming_the_terms(
    invoke: Invoke, sign_request: SignRequest
) -> None:
    objectives = [
        _long_objective(objective_id=f"objective-{i}", description="\x01" * 4096)
        for i in range(200)
    ]

    ended = invoke("SignAgreement", sign_request("sla-1", objectives=objectives))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "terms: encodes to" in ended.details


def test_the_store_refuses_an_event_larger_than_an_event_may_take(
    ledger_app: LedgerApplication,
) -> None:
    batch = [Measurement("o", "", DAY_US + i, 1, 1) for i in range(20_000)]
    events = measured_events("sla-1", group_by_stream("sla-1", batch), {}, DAY, {}, 10**9)

    with pytest.raises(FailedPreconditionError):
        ledger_app.save(*events)
