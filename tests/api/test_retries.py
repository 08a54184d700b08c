"""Commands with a client request id can be retried: same id and content, same reply, nothing
appended again; same id, other content, ALREADY_EXISTS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build
from tests.concurrency import run_concurrently

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)


def _events(stub: Stub, agreement_id: str = "") -> list[Any]:
    return build.list_all_events(
        lambda request: stub.ListEvents(request, timeout=TIMEOUT), agreement_id, page_size=1000
    )


def _signed(stub: Stub, sign_request: Callable[..., Any]) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)


def test_a_retried_sign_returns_the_first_reply_and_appends_nothing(
    stub: Stub, sign_request: Callable[..., Any]
) -> None:
    request = sign_request("sla-1")
    request.request_id = "sign-sla-1"
    first = stub.SignAgreement(request, timeout=TIMEOUT)

    again = stub.SignAgreement(request, timeout=TIMEOUT)

    assert again == first
    assert len(_events(stub)) == 1


def test_a_retried_amendment_is_applied_once(
    stub: Stub, sign_request: Callable[..., Any], amend_request: Callable[..., Any]
) -> None:
    _signed(stub, sign_request)
    request = amend_request("sla-1")
    request.request_id = "amend-1"
    first = stub.AmendAgreement(request, timeout=TIMEOUT)

    again = stub.AmendAgreement(request, timeout=TIMEOUT)

    assert again == first
    assert [e.WhichOneof("payload") for e in _events(stub)] == [
        "agreement_signed",
        "agreement_amended",
    ]


def test_a_request_id_reused_for_other_content_is_already_exists(
    stub: Stub, sign_request: Callable[..., Any], amend_request: Callable[..., Any]
) -> None:
    _signed(stub, sign_request)
    request = amend_request("sla-1")
    request.request_id = "amend-1"
    stub.AmendAgreement(request, timeout=TIMEOUT)
    request.reason = "something else"

    with pytest.raises(grpc.RpcError) as refused:
        stub.AmendAgreement(request, timeout=TIMEOUT)

    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_a_retried_batch_replies_as_the_first_time(
    stub: Stub, sign_request: Callable[..., Any], minute_readings: Callable[..., Any]
) -> None:
    _signed(stub, sign_request)
    request = minute_readings("sla-1", 100)
    request.request_id = "batch-1"
    first = stub.RecordMeasurements(request, timeout=TIMEOUT)

    again = stub.RecordMeasurements(request, timeout=TIMEOUT)

    assert (again, first.recorded_count) == (first, 100)


def test_a_retried_close_returns_the_same_breach_and_credit_and_issues_no_second(
    stub: Stub,
) -> None:
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    stub.SignAgreement(
        build.sign_request("sla-1", JANUARY, JANUARY, time_zone="UTC", credit_policy=policy),
        timeout=TIMEOUT,
    )
    readings = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    for hour in range(31 * 24):
        reading = readings.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good, reading.counts.total = (900 if hour < 10 else 1000), 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = pb.ClosePeriodRequest(agreement_id="sla-1", request_id="close-jan")
    close.until.FromDatetime(FEBRUARY)
    first = stub.ClosePeriod(close, timeout=TIMEOUT)

    again = stub.ClosePeriod(close, timeout=TIMEOUT)

    assert again == first
    assert [e.WhichOneof("payload") for e in first.events].count("credit_issued") == 1
    credits = [e for e in _events(stub, "sla-1") if e.HasField("credit_issued")]
    assert len(credits) == 1


def test_concurrent_calls_with_one_request_id_append_once_and_reply_alike(
    stub: Stub, sign_request: Callable[..., Any], amend_request: Callable[..., Any]
) -> None:
    _signed(stub, sign_request)
    request = amend_request("sla-1")
    request.request_id = "amend-concurrently"

    replies, errors = run_concurrently(
        [lambda: stub.AmendAgreement(request, timeout=TIMEOUT) for _ in range(6)]
    )

    assert errors == []
    assert len({reply.SerializeToString() for reply in replies}) == 1
    assert [e.WhichOneof("payload") for e in _events(stub)].count("agreement_amended") == 1


def test_a_malformed_request_id_is_invalid_argument(
    stub: Stub, sign_request: Callable[..., Any]
) -> None:
    request = sign_request("sla-1")
    request.request_id = "not ok!"

    with pytest.raises(grpc.RpcError) as refused:
        stub.SignAgreement(request, timeout=TIMEOUT)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
