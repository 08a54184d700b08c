"""Every reply fits the message limit and every listing moves on, on a server started with the
smallest --max-message-bytes it accepts: pages of ListEvents and SubscribeEvents responses are
cut by bytes, however large the events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import grpc
import pytest

from domain.event_sizes import MAX_EVENT_BYTES
from domain.instants import to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import (
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from service.store.event_limits import MIN_MAX_MESSAGE_BYTES
from tests import proto_builders as build
from tests.error_details import error_info, status_of_call

TIMEOUT = 30
LONG_ID = "o" * 128
DAY = datetime(2025, 2, 1, tzinfo=UTC)
BATCHES = 4
READINGS_PER_BATCH = 10_000  # one day each: about 1.5 MB as one event, over the limit
SMALL_LIMIT = ("--max-message-bytes", str(MIN_MAX_MESSAGE_BYTES))
Stub = ledger_service_pb2_grpc.LedgerServiceStub


def _columns(first_us: int) -> terms_pb2.MeasurementColumns:
    return terms_pb2.MeasurementColumns(
        objective_id=LONG_ID,
        observed_at_micros=[first_us + i * 1_000_000 for i in range(READINGS_PER_BATCH)],
        good=[59] * READINGS_PER_BATCH,
        total=[60] * READINGS_PER_BATCH,
    )


def _record_large_events(stub: Stub) -> int:
    """Sign an agreement and record BATCHES days of readings; the log's last position."""
    objective = terms_pb2.Objective(
        objective_id=LONG_ID,
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_MONTH,
    )
    sign = build.sign_request("sla-1", DAY, DAY, objectives=[objective])
    stub.SignAgreement(sign, timeout=TIMEOUT)
    position = 0
    for day in range(BATCHES):
        request = ledger_service_pb2.RecordMeasurementsRequest(
            agreement_id="sla-1", columns=[_columns(to_epoch_us(DAY) + day * 86_400_000_000)]
        )
        position = stub.RecordMeasurements(request, timeout=TIMEOUT).log_position
    return position


def _pages(
    stub: Stub, agreement_id: str, page_size: int
) -> list[ledger_service_pb2.ListEventsResponse]:
    pages = []
    token = ""
    while True:
        request = ledger_service_pb2.ListEventsRequest(
            agreement_id=agreement_id, page_size=page_size, page_token=token
        )
        page = stub.ListEvents(request, timeout=TIMEOUT)
        pages.append(page)
        token = page.next_page_token
        if not token:
            return pages


def _readings(events: list[events_pb2.LedgerEvent]) -> int:
    return sum(len(e.metric_measured.measurements) for e in events)


@pytest.fixture
def small_server(database_url: str, start_server: Callable[..., Any]) -> Any:
    """A server allowing only the smallest message size, on each backend in turn."""
    return start_server(database_url, extra_args=("--close-periods", "off", *SMALL_LIMIT))


@pytest.fixture
def small_stub(small_server: Any) -> Stub:
    """A client of the small server."""
    return ledger_service_pb2_grpc.LedgerServiceStub(small_server.channel)


@pytest.mark.parametrize("page_size", [0, 1, 1000])
@pytest.mark.parametrize("agreement_id", ["", "sla-1"])
def test_list_events_pages_through_the_largest_events_within_the_message_limit(
    small_stub: Stub, page_size: int, agreement_id: str
) -> None:
    last = _record_large_events(small_stub)

    pages = _pages(small_stub, agreement_id, page_size)

    events = [event for page in pages for event in page.events]
    assert [e.position for e in events] == sorted({e.position for e in events})
    assert events[-1].position == last
    assert _readings(events) == BATCHES * READINGS_PER_BATCH
    assert all(0 < page.ByteSize() <= MIN_MAX_MESSAGE_BYTES for page in pages[:-1])
    assert max(e.ByteSize() for e in events) <= MAX_EVENT_BYTES


def test_subscribe_events_gets_through_a_log_of_the_largest_events(small_stub: Stub) -> None:
    last = _record_large_events(small_stub)
    received: list[events_pb2.LedgerEvent] = []

    stream = small_stub.SubscribeEvents(
        ledger_service_pb2.SubscribeEventsRequest(after_position=0), timeout=TIMEOUT
    )
    try:
        for response in stream:
            assert response.ByteSize() <= MIN_MAX_MESSAGE_BYTES
            received.extend(response.events)
            if response.log_position >= last:
                break
    finally:
        stream.cancel()

    assert received[-1].position == last
    assert _readings(received) == BATCHES * READINGS_PER_BATCH


def _store_an_event_too_large_to_send(database_url: str) -> None:
    """An agreement and one MetricMeasured event whose public encoding is larger than the
    smallest message limit, as a ledger written before events were bounded may hold."""
    terms = AgreementTerms(
        provider=Party("acme-cloud"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        term_start=DAY,
        term_end=None,
        objectives=(Objective(LONG_ID, "availability", Decimal("99.9"), PeriodUnit.MONTH),),
    )
    app = open_application(database_url)
    try:
        app.commands.sign_agreement("sla-1", terms, DAY)
        first = to_epoch_us(DAY)
        batch = [Measurement(LONG_ID, "", first + i * 1_000_000, 59, 60) for i in range(7_200)]
        groups = group_by_stream("sla-1", batch)
        app.save(*measured_events("sla-1", groups, {}, DAY, {}, readings_bytes=10**9))
    finally:
        app.close()


def _calls(server: Any, method: str) -> list[str]:
    return [
        entry["status"]
        for entry in server.log_entries()
        if entry.get("message") == "call" and entry.get("method", "").endswith(method)
    ]


def _calls_once_logged(server: Any, method: str, count: int) -> list[str]:
    """The access-log statuses of a method once it has logged count calls (the access line of a
    refused call is written just after its "reply too large" warning)."""
    deadline = time.monotonic() + TIMEOUT
    while len(calls := _calls(server, method)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return calls


def test_a_reply_larger_than_the_limit_is_refused_and_logged_as_refused(
    database_url: str, start_server: Callable[..., Any], refusal: Callable[..., Any]
) -> None:
    _store_an_event_too_large_to_send(database_url)
    server = start_server(database_url, extra_args=("--close-periods", "off", *SMALL_LIMIT))
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    request = ledger_service_pb2.ListEventsRequest(page_size=1, page_token=_token_after(stub))

    code = refusal(lambda: stub.ListEvents(request, timeout=TIMEOUT))

    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    server.wait_for_log("reply too large", TIMEOUT)
    assert _calls_once_logged(server, "/ListEvents", 2)[-1] == "RESOURCE_EXHAUSTED"


def test_a_stream_response_larger_than_the_limit_ends_the_stream_logged_as_refused(
    database_url: str, start_server: Callable[..., Any]
) -> None:
    _store_an_event_too_large_to_send(database_url)
    server = start_server(
        database_url,
        extra_args=("--close-periods", "off", "--projections", "off", *SMALL_LIMIT),
    )
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    stream = stub.SubscribeEvents(
        ledger_service_pb2.SubscribeEventsRequest(after_position=1), timeout=TIMEOUT
    )

    with pytest.raises(grpc.RpcError) as ended:
        list(stream)

    assert ended.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_info(status_of_call(ended.value)).reason == "REPLY_TOO_LARGE"
    server.wait_for_log("reply too large", TIMEOUT)
    assert _calls_once_logged(server, "/SubscribeEvents", 1)[-1] == "RESOURCE_EXHAUSTED"


def _token_after(stub: Stub) -> str:
    """The page token that continues after the first event (the signing)."""
    first = stub.ListEvents(ledger_service_pb2.ListEventsRequest(page_size=1), timeout=TIMEOUT)
    token: str = first.next_page_token
    return token


def _daily_objectives(count: int) -> list[terms_pb2.Objective]:
    return [
        terms_pb2.Objective(
            objective_id=f"objective-{i}",
            metric="availability",
            target_percent="99.9",
            period=terms_pb2.PERIOD_UNIT_DAY,
        )
        for i in range(count)
    ]


YEARS_AGO = datetime(2023, 1, 1, tzinfo=UTC)
UNTIL = datetime(2025, 1, 1, tzinfo=UTC)  # 731 days of 3 objectives: 2,193 periods due


def _sign_daily(stub: Stub, objectives: int = 3) -> None:
    request = build.sign_request(
        "sla-daily", YEARS_AGO, YEARS_AGO, objectives=_daily_objectives(objectives)
    )
    stub.SignAgreement(request, timeout=TIMEOUT)


def _close(stub: Stub, request_id: str = "") -> ledger_service_pb2.ClosePeriodResponse:
    request = ledger_service_pb2.ClosePeriodRequest(
        agreement_id="sla-daily", until=build.timestamp(UNTIL), request_id=request_id
    )
    reply: ledger_service_pb2.ClosePeriodResponse = stub.ClosePeriod(request, timeout=TIMEOUT)
    return reply


def test_a_close_of_years_of_daily_periods_replies_with_counts_within_the_bound(
    stub: Stub,
) -> None:
    _sign_daily(stub)

    reply = _close(stub, "close-1")

    assert reply.closed_count == 1_000
    assert reply.more_due
    assert reply.appended_count == reply.log_position - reply.first_position + 1 >= 1_000
    assert reply.events_truncated
    assert len(reply.events) == 100
    assert reply.events[0].position == reply.first_position
    assert reply.ByteSize() < 512 * 1024 + 64 * 1024


def test_a_retried_close_gets_the_same_small_reply(small_stub: Stub) -> None:
    _sign_daily(small_stub, objectives=10)  # 7,310 periods: their events take over 1 MiB
    first = _close(small_stub, "close-1")

    again = _close(small_stub, "close-1")

    assert again.SerializeToString(deterministic=True) == first.SerializeToString(
        deterministic=True
    )


def test_closing_again_while_more_are_due_closes_every_period_once(stub: Stub) -> None:
    _sign_daily(stub)
    replies = [_close(stub)]
    while replies[-1].more_due:
        replies.append(_close(stub))

    pages = _pages(stub, "sla-daily", 1000)
    closed = [e.stream_id for p in pages for e in p.events if e.HasField("period_closed")]

    assert [r.closed_count for r in replies] == [1_000, 1_000, 193]
    assert len(closed) == len(set(closed)) == 2_193
    assert _close(stub).appended_count == 0
