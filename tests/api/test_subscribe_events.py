"""SubscribeEvents against a real server: catch-up in batches, live events, filters, heartbeats,
resuming from a log position, refusals, cancellation and shutdown.

Every subscription has a deadline (STREAM_DEADLINE_SECONDS), so a missing response fails the
test with DEADLINE_EXCEEDED instead of hanging it; waits on the server's log are bounded too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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


# Fixtures here take database_url before start_server: fixtures are torn down in reverse order,
# so the server (whose projection runner may still be writing) stops before its PostgreSQL schema
# is dropped; the other order can deadlock the DROP SCHEMA against the runner.


@pytest.fixture
def server(database_url: str, start_server: Callable[..., Any]) -> Any:
    """conftest's server on each backend, stopped before its schema is dropped."""
    return start_server(database_url)


@pytest.fixture
def quiet_server(
    database_url: str, start_server: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A server whose streams send no heartbeat within any test's lifetime."""
    monkeypatch.setenv("SLA_LEDGER_HEARTBEAT_SECONDS", "3600")
    yield start_server(database_url)


def test_catch_up_delivers_every_existing_event_in_log_order_in_batches_of_500(
    stub: Stub,
) -> None:
    _sign(stub, "sla-1")
    head = _daily_readings(stub, "sla-1", 1_200)

    responses = _until(_subscribe(stub), head)

    assert [len(response.events) for response in responses] == [500, 500, 201]
    assert _events(responses) == _all_events(stub)


def test_a_subscriber_resuming_after_its_last_log_position_misses_nothing_and_repeats_nothing(
    stub: Stub,
) -> None:
    _sign(stub, "sla-1")
    head = _daily_readings(stub, "sla-1", 1_200)
    first_subscription = _subscribe(stub)
    first = next(first_subscription)
    first_subscription.cancel()

    rest = _until(_subscribe(stub, after_position=first.log_position), head)

    positions = [event.position for event in [*first.events, *_events(rest)]]
    assert positions == [event.position for event in _all_events(stub)]


def test_the_log_position_of_a_filtered_stream_covers_the_events_filtered_out(
    stub: Stub,
) -> None:
    _sign(stub, "sla-1")
    head = _daily_readings(stub, "sla-1", 20)

    first = next(_subscribe(stub, event_types=["agreement_signed"]))

    assert ([event.position for event in first.events], first.log_position) == ([1], head)


def test_events_appended_after_catch_up_arrive_one_per_response(stub: Stub) -> None:
    _sign(stub, "sla-1")
    subscription = _subscribe(stub)
    next(subscription)  # the catch-up: the signing

    head = _daily_readings(stub, "sla-1", 3)
    live = [response for response in _until(subscription, head) if response.events]

    assert [[event.position for event in response.events] for response in live] == [
        [event.position] for event in _all_events(stub)[1:]
    ]


def test_the_agreement_filter_delivers_exactly_that_agreements_events(stub: Stub) -> None:
    _sign(stub, "sla-1")
    _sign(stub, "sla-2")
    _daily_readings(stub, "sla-1", 5)
    _daily_readings(stub, "sla-2", 5)
    head = _daily_readings(stub, "sla-1", 5, first_day=10)

    responses = _until(_subscribe(stub, agreement_id="sla-1"), head)

    assert _events(responses) == _all_events(stub, "sla-1")


def test_the_event_type_filter_delivers_exactly_the_events_of_the_named_types(
    stub: Stub,
) -> None:
    head = _january_with_a_credit(stub, "sla-1")
    wanted = ["credit_issued", "breach_detected", "credit_adjusted"]

    responses = _until(_subscribe(stub, event_types=wanted), head)

    expected = [e for e in _all_events(stub) if e.WhichOneof("payload") in wanted]
    assert [e.WhichOneof("payload") for e in expected] == [
        "breach_detected",
        "credit_issued",
        "credit_adjusted",
    ]
    assert _events(responses) == expected


def test_each_event_type_filter_selects_exactly_its_own_events(stub: Stub) -> None:
    head = _january_with_a_credit(stub, "sla-1")
    every = _all_events(stub)
    types = sorted({event.WhichOneof("payload") or "" for event in every})

    selected = {name: _events(_until(_subscribe(stub, event_types=[name]), head)) for name in types}

    assert selected == {
        name: [e for e in every if e.WhichOneof("payload") == name] for name in types
    }


def test_the_agreement_and_event_type_filters_combine(stub: Stub) -> None:
    _january_with_a_credit(stub, "sla-1")
    head = _january_with_a_credit(stub, "sla-2")

    responses = _until(_subscribe(stub, agreement_id="sla-1", event_types=["credit_issued"]), head)

    assert [(e.agreement_id, e.WhichOneof("payload")) for e in _events(responses)] == [
        ("sla-1", "credit_issued")
    ]


def test_an_idle_stream_sends_heartbeats_with_the_scanned_log_position(
    database_url: str, start_server: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLA_LEDGER_HEARTBEAT_SECONDS", "0.2")
    stub = ledger_service_pb2_grpc.LedgerServiceStub(start_server(database_url).channel)
    head = _sign(stub, "sla-1")
    subscription = _subscribe(stub)
    next(subscription)  # the signing

    heartbeats = [next(subscription), next(subscription)]

    assert [(list(h.events), h.log_position) for h in heartbeats] == [([], head), ([], head)]


def test_an_unknown_event_type_is_invalid_argument_naming_its_index(stub: Stub) -> None:
    error = _refusal(_subscribe(stub, event_types=["credit_issued", "credit_issed"]))

    assert (error.code(), _field_violations(error)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["event_types[1]"],
    )


def test_a_negative_after_position_is_invalid_argument(stub: Stub) -> None:
    error = _refusal(_subscribe(stub, after_position=-1))

    assert (error.code(), _field_violations(error)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["after_position"],
    )


def test_a_subscription_the_client_cancels_ends_with_cancelled(quiet_server: Any) -> None:
    stub = ledger_service_pb2_grpc.LedgerServiceStub(quiet_server.channel)
    _sign(stub, "sla-1")
    subscription = _subscribe(stub)
    next(subscription)

    subscription.cancel()

    assert _refusal(subscription).code() is grpc.StatusCode.CANCELLED


def test_the_server_ends_a_cancelled_subscription_and_logs_it_as_cancelled(
    quiet_server: Any,
) -> None:
    stub = ledger_service_pb2_grpc.LedgerServiceStub(quiet_server.channel)
    _sign(stub, "sla-1")
    subscription = _subscribe(stub)
    next(subscription)

    subscription.cancel()

    assert _access_line(quiet_server)["status"] == "CANCELLED"


def test_the_access_line_of_a_subscription_counts_its_responses(quiet_server: Any) -> None:
    stub = ledger_service_pb2_grpc.LedgerServiceStub(quiet_server.channel)
    _sign(stub, "sla-1")
    subscription = _subscribe(stub)
    next(subscription)

    subscription.cancel()

    assert _access_line(quiet_server)["responses"] == 1


def test_sigterm_ends_open_streams_and_the_server_exits_well_within_the_grace(
    database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(
        database_url, extra_args=("--close-periods", "off", "--shutdown-grace", "30")
    )
    # The subscription has its own channel: stop() closes the server's.
    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        stub = ledger_service_pb2_grpc.LedgerServiceStub(channel)
        _sign(stub, "sla-1")
        subscriptions = [_subscribe(stub) for _ in range(3)]
        for subscription in subscriptions:
            next(subscription)
        started = time.monotonic()

        server.stop()  # SIGTERM; asserts exit code 0 within its own deadline

        elapsed = time.monotonic() - started
        codes = {_refusal(subscription).code() for subscription in subscriptions}
    finally:
        channel.close()
    assert (codes, elapsed < 5) == ({grpc.StatusCode.UNAVAILABLE}, True)


def test_a_stream_beyond_half_the_workers_is_refused_with_resource_exhausted(
    start_server: Callable[..., Any], sqlite_database_url: str
) -> None:
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--workers", "2")
    )
    stub = Stub(server.channel)
    position = _sign(stub, "sla-1")
    first = _subscribe(stub)
    _until(first, position)  # the first stream is open and holds the one slot

    second = _subscribe(stub)
    with pytest.raises(grpc.RpcError) as refusal:
        next(iter(second))

    first.cancel()
    assert refusal.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def _encoded(stub: Stub, position: int) -> None:
    """Wait until the read models, the event encodings among them, reach position."""
    request = ledger_service_pb2.ListBreachesRequest(min_log_position=position)
    stub.ListBreaches(request, timeout=TIMEOUT)


def test_a_catch_up_served_from_the_encoded_events_equals_the_log(stub: Stub) -> None:
    _january_with_a_credit(stub, "sla-1")
    head = _january_with_a_credit(stub, "sla-2")
    _encoded(stub, head)

    responses = _until(_subscribe(stub), head)

    assert _events(responses) == _all_events(stub)


def test_filters_on_the_encoded_events_select_what_they_select_on_the_log(stub: Stub) -> None:
    _january_with_a_credit(stub, "sla-1")
    encoded_head = _january_with_a_credit(stub, "sla-2")
    _encoded(stub, encoded_head)
    head = _daily_readings(stub, "sla-1", 3, first_day=40)  # beyond the encodings, maybe
    wanted = ["credit_issued", "metric_measured"]

    responses = _until(_subscribe(stub, agreement_id="sla-1", event_types=wanted), head)

    expected = [e for e in _all_events(stub, "sla-1") if e.WhichOneof("payload") in wanted]
    assert _events(responses) == expected
