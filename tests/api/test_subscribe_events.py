"""SubscribeEvents against a real server: catch-up in batches, live events, filters, heartbeats,
resuming from a log position, refusals, cancellation and shutdown.

Every subscription has a deadline (STREAM_DEADLINE_SECONDS), so a missing response fails the
test with DEADLINE_EXCEEDED instead of hanging it; waits on the server's log are bounded too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc
from tests.api.subscription_calls import (
    TIMEOUT,
    Stub,
    _access_line,
    _all_events,
    _daily_readings,
    _events,
    _field_violations,
    _january_with_a_credit,
    _refusal,
    _sign,
    _subscribe,
    _until,
)
from tests.error_details import details_of, error_info, status_of_call


def _retry_seconds(status: status_pb2.Status) -> tuple[float, ...]:
    retries = details_of(status, error_details_pb2.RetryInfo)
    return tuple(r.retry_delay.ToNanoseconds() / 1e9 for r in retries)


# Fixtures here take database_url before start_server: fixtures are torn down in reverse order,
# so the server (whose projection runner may still be writing) stops before its PostgreSQL schema
# is dropped; the other order can deadlock the DROP SCHEMA against the runner.


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
        refusals = [_refusal(subscription) for subscription in subscriptions]
    finally:
        channel.close()
    codes = {refusal.code() for refusal in refusals}
    assert (codes, elapsed < 5) == ({grpc.StatusCode.UNAVAILABLE}, True)
    statuses = [status_of_call(refusal) for refusal in refusals]
    assert {error_info(status).reason for status in statuses} == {"SHUTTING_DOWN"}
    assert {_retry_seconds(status) for status in statuses} == {(1.0,)}


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
    status = status_of_call(refusal.value)
    assert (error_info(status).reason, _retry_seconds(status)) == ("TOO_MANY_STREAMS", (5.0,))


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
