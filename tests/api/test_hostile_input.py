"""Hostile input against a real server: random and malformed requests never get INTERNAL, never
write part of anything, and leave the server healthy and its ledger verifiable."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.hostile_strategies import (
    balance_reads,
    case_batches,
    dispute_calls,
    readings,
    service_signings,
    signings,
    subscription_calls,
)
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url
from tests.error_details import checked_code
from tests.hostile_claims import claim_calls

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED}
METHODS = [m.name for m in pb.DESCRIPTOR.services_by_name["LedgerService"].methods]
UNARY = [m for m in METHODS if m != "SubscribeEvents"]


def _digest(stub: Stub) -> pb.LedgerDigest:
    digest: pb.LedgerDigest = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT
    ).digest
    return digest


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    """The code the call ends with; a refusal must carry an ErrorInfo with a known reason."""
    return checked_code(call)


def _never_internal_and_a_refusal_writes_nothing(stub: Stub, call: Callable[[], Any]) -> None:
    """The call ends in no server error, and when it is refused the ledger is as before."""
    before = _digest(stub)

    code = _code(call)

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(stub) == before


@pytest.fixture
def fuzzed(stub: Stub) -> Stub:
    stub.SignAgreement(build.sign_request("sla-1", START, START), timeout=TIMEOUT)
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    stub.SubscribeCustomer(svc.subscribe("globex", "basic", START), timeout=TIMEOUT)
    return stub


@FUZZ
@given(method=st.sampled_from(UNARY), payload=st.binary(max_size=200))
def test_random_bytes_to_any_method_are_never_internal(
    server: Any, fuzzed: Stub, method: str, payload: bytes
) -> None:
    call = server.channel.unary_unary(
        f"/sla.ledger.v1.LedgerService/{method}",
        request_serializer=None,
        response_deserializer=None,
    )
    _never_internal_and_a_refusal_writes_nothing(fuzzed, lambda: call(payload, timeout=TIMEOUT))


@FUZZ
@given(request=readings())
def test_hostile_batches_are_refused_whole_or_recorded_whole(
    fuzzed: Stub, request: pb.RecordMeasurementsRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.RecordMeasurements(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert code is grpc.StatusCode.INVALID_ARGUMENT or code is grpc.StatusCode.NOT_FOUND
        assert _digest(fuzzed) == before


@FUZZ
@given(request=case_batches())
def test_hostile_case_batches_are_refused_whole_or_recorded_whole(
    fuzzed: Stub, request: pb.RecordCaseEventsRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.RecordCaseEvents(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert code in (
            grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.ALREADY_EXISTS,
        )
        assert _digest(fuzzed) == before


@FUZZ
@given(request=signings())
def test_hostile_terms_are_refused_with_invalid_argument_and_write_nothing(
    fuzzed: Stub, request: pb.SignAgreementRequest
) -> None:
    _never_internal_and_a_refusal_writes_nothing(
        fuzzed, lambda: fuzzed.SignAgreement(request, timeout=TIMEOUT)
    )


@FUZZ
@given(call=subscription_calls())
def test_hostile_subscription_calls_are_refused_without_writing_or_recorded_whole(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    _never_internal_and_a_refusal_writes_nothing(
        fuzzed, lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT)
    )


@FUZZ
@given(call=dispute_calls())
def test_hostile_dispute_calls_are_refused_without_writing_or_recorded_whole(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    _never_internal_and_a_refusal_writes_nothing(
        fuzzed, lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT)
    )


@FUZZ
@given(request=service_signings())
def test_hostile_service_sla_terms_are_refused_and_write_nothing(
    fuzzed: Stub, request: pb.SignAgreementRequest
) -> None:
    _never_internal_and_a_refusal_writes_nothing(
        fuzzed, lambda: fuzzed.SignAgreement(request, timeout=TIMEOUT)
    )


@FUZZ
@given(call=claim_calls())
def test_hostile_claims_decisions_and_settlements_are_refused_without_writing(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    _never_internal_and_a_refusal_writes_nothing(
        fuzzed, lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT)
    )


@FUZZ
@given(call=balance_reads())
def test_hostile_balance_and_credit_state_reads_are_answered_or_refused_as_invalid(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call

    code = _code(lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT))

    assert code in (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT)


def test_after_the_fuzzing_the_server_is_healthy_and_the_ledger_verifies(
    server: Any, fuzzed: Stub
) -> None:
    call = server.channel.unary_unary(
        "/sla.ledger.v1.LedgerService/RecordMeasurements",
        request_serializer=None,
        response_deserializer=None,
    )
    for payload in (b"\xff" * 50, b"\x0a\xff\xff\xff\xff\x0f", bytes(range(256))):
        assert _code(partial(call, payload, timeout=TIMEOUT)) is grpc.StatusCode.INVALID_ARGUMENT

    health = health_pb2_grpc.HealthStub(server.channel)
    status = health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT).status
    verified = fuzzed.VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT)
    assert status == health_pb2.HealthCheckResponse.SERVING
    assert verified.ok


def test_a_batch_of_thousands_of_bad_readings_is_invalid_argument_naming_the_first_fifty(
    fuzzed: Stub,
) -> None:
    request = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    for minute in range(5_000):
        reading = request.measurements.add(objective_id="availability", sample=math.nan)
        reading.observed_at.FromDatetime(START + timedelta(minutes=minute))

    with pytest.raises(grpc.RpcError) as refused:
        fuzzed.RecordMeasurements(request, timeout=TIMEOUT)

    status = rpc_status.from_call(refused.value)
    assert status is not None and status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    assert len(bad_request.field_violations) == 51
    assert bad_request.field_violations[-1].description.endswith("more violations")


def test_an_agreement_signed_in_the_future_is_invalid_argument(stub: Stub) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    request = build.sign_request("sla-future", START, tomorrow)

    with pytest.raises(grpc.RpcError) as refused:
        stub.SignAgreement(request, timeout=TIMEOUT)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "signed_at" in (refused.value.details() or "")
