"""Calls the SubscribeEvents tests make: subscribe, read to a position, write a log."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import (
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build

TIMEOUT = 10
STREAM_DEADLINE_SECONDS = 30
LOG_DEADLINE_SECONDS = 10
FIRST_DAY = datetime(2022, 2, 1, tzinfo=UTC)  # 1,200 days of readings end in the past
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
Stub = ledger_service_pb2_grpc.LedgerServiceStub
Subscription = Any  # the call object of a server-streaming RPC: an iterator with cancel()
Response = ledger_service_pb2.SubscribeEventsResponse


def _subscribe(stub: Stub, **fields: Any) -> Subscription:
    request = ledger_service_pb2.SubscribeEventsRequest(**fields)
    return stub.SubscribeEvents(request, timeout=STREAM_DEADLINE_SECONDS)


def _until(subscription: Subscription, position: int) -> list[Response]:
    """Responses up to the first whose log_position reaches position."""
    received = []
    for response in subscription:
        received.append(response)
        if response.log_position >= position:
            return received
    raise AssertionError(f"the stream ended before log position {position}")


def _events(responses: list[Response]) -> list[events_pb2.LedgerEvent]:
    return [event for response in responses for event in response.events]


def _sign(stub: Stub, agreement_id: str) -> int:
    request = build.sign_request(agreement_id, FIRST_DAY, FIRST_DAY)
    position: int = stub.SignAgreement(request, timeout=TIMEOUT).log_position
    return position


def _daily_readings(stub: Stub, agreement_id: str, days: int, first_day: int = 0) -> int:
    """One reading on each of days UTC days: one metric_measured event per day, one call."""
    request = ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id=agreement_id,
        measurements=[
            build.reading("availability", FIRST_DAY + timedelta(days=first_day + day))
            for day in range(days)
        ],
    )
    position: int = stub.RecordMeasurements(request, timeout=TIMEOUT).log_position
    return position


def _all_events(stub: Stub, agreement_id: str = "") -> list[events_pb2.LedgerEvent]:
    return build.list_all_events(
        lambda request: stub.ListEvents(request, timeout=TIMEOUT), agreement_id, page_size=1000
    )


def _january_with_a_credit(stub: Stub, agreement_id: str) -> int:
    """Sign, record a January with a shortfall, close it (breach and credit), record a late
    reading and recalculate (retraction, adjustment): many event types."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    stub.SignAgreement(
        build.sign_request(agreement_id, JANUARY, JANUARY, time_zone="UTC", credit_policy=policy),
        timeout=TIMEOUT,
    )
    readings = ledger_service_pb2.RecordMeasurementsRequest(agreement_id=agreement_id)
    for hour in range(31 * 24):
        reading = readings.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good = 900 if hour < 10 else 1000
        reading.counts.total = 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = ledger_service_pb2.ClosePeriodRequest(agreement_id=agreement_id)
    close.until.FromDatetime(FEBRUARY)
    stub.ClosePeriod(close, timeout=TIMEOUT)
    late = ledger_service_pb2.RecordMeasurementsRequest(agreement_id=agreement_id)
    reading = late.measurements.add(objective_id="availability", measurement_id="late-1")
    reading.observed_at.FromDatetime(JANUARY + timedelta(days=20))
    reading.counts.good = reading.counts.total = 300_000
    stub.RecordMeasurements(late, timeout=TIMEOUT)
    recalculate = ledger_service_pb2.RecalculatePeriodRequest(
        agreement_id=agreement_id, objective_id="availability", period_label="2026-01"
    )
    position: int = stub.RecalculatePeriod(recalculate, timeout=TIMEOUT).events[-1].position
    return position


def _refusal(subscription: Subscription) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        next(subscription)
    return refused.value


def _field_violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None, "no grpc-status-details-bin in the trailing metadata"
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    return [violation.field for violation in bad_request.field_violations]


def _access_line(server: Any, deadline_seconds: float = LOG_DEADLINE_SECONDS) -> dict[str, Any]:
    """The access log line of the first SubscribeEvents call to end, polled for (bounded)."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        entry: dict[str, Any]
        for entry in server.log_entries():
            if entry.get("message") == "call" and entry.get("method", "").endswith(
                "/SubscribeEvents"
            ):
                return entry
        time.sleep(0.02)
    raise AssertionError(f"no SubscribeEvents access line within {deadline_seconds} s")


@pytest.fixture
def server(database_url: str, start_server: Callable[..., Any]) -> Any:
    """conftest's server on each backend, stopped before its schema is dropped."""
    return start_server(database_url)
