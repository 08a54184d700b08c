"""The issue's end-to-end flow against a real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc, terms_pb2

RPC_TIMEOUT_SECONDS = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AmendRequest = Callable[..., ledger_service_pb2.AmendAgreementRequest]
TerminateRequest = Callable[..., ledger_service_pb2.TerminateAgreementRequest]
MinuteReadings = Callable[..., ledger_service_pb2.RecordMeasurementsRequest]
Refusal = Callable[[Callable[[], Any]], Any]


def _get(stub: Stub, agreement_id: str) -> Any:
    return stub.GetAgreement(
        ledger_service_pb2.GetAgreementRequest(agreement_id=agreement_id),
        timeout=RPC_TIMEOUT_SECONDS,
    )


def test_get_agreement_reads_back_the_signed_agreement(
    stub: Stub, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1")
    signed = stub.SignAgreement(request, timeout=RPC_TIMEOUT_SECONDS)

    read = _get(stub, "sla-1")

    assert read.agreement == signed.agreement
    assert read.agreement.terms == request.terms
    assert read.agreement.version == 1


def test_amend_with_the_current_expected_version_gives_terms_version_2(
    stub: Stub, sign_request: SignRequest, amend_request: AmendRequest
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    amended = stub.AmendAgreement(
        amend_request("sla-1", expected_version=1), timeout=RPC_TIMEOUT_SECONDS
    )

    assert (amended.version, amended.terms_version) == (2, 2)
    assert _get(stub, "sla-1").agreement.terms.fee.amount.amount == "1500.00"


def test_amend_with_a_stale_expected_version_is_aborted(
    stub: Stub, sign_request: SignRequest, amend_request: AmendRequest, refusal: Refusal
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)
    stub.AmendAgreement(amend_request("sla-1", expected_version=1), timeout=RPC_TIMEOUT_SECONDS)
    stale = amend_request("sla-1", expected_version=1)

    code = refusal(lambda: stub.AmendAgreement(stale, timeout=RPC_TIMEOUT_SECONDS))

    assert code is grpc.StatusCode.ABORTED


def test_terminate_makes_the_agreement_terminated(
    stub: Stub, sign_request: SignRequest, terminate_request: TerminateRequest
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    terminated = stub.TerminateAgreement(terminate_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    assert terminated.version == 2
    assert _get(stub, "sla-1").agreement.status == terms_pb2.AGREEMENT_STATUS_TERMINATED


def test_a_second_terminate_is_failed_precondition(
    stub: Stub, sign_request: SignRequest, terminate_request: TerminateRequest, refusal: Refusal
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)
    stub.TerminateAgreement(terminate_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)
    again = terminate_request("sla-1")

    code = refusal(lambda: stub.TerminateAgreement(again, timeout=RPC_TIMEOUT_SECONDS))

    assert code is grpc.StatusCode.FAILED_PRECONDITION


def test_one_call_records_10000_readings(
    stub: Stub, sign_request: SignRequest, minute_readings: MinuteReadings
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    recorded = stub.RecordMeasurements(minute_readings("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    assert (recorded.recorded_count, recorded.duplicate_count) == (10_000, 0)


def test_resending_the_same_10000_readings_records_none_and_counts_10000_duplicates(
    stub: Stub, sign_request: SignRequest, minute_readings: MinuteReadings
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)
    stub.RecordMeasurements(minute_readings("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    resent = stub.RecordMeasurements(minute_readings("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    assert (resent.recorded_count, resent.duplicate_count, resent.log_position) == (0, 10_000, 0)


def test_invalid_terms_arrive_as_a_bad_request_listing_the_field_paths(
    stub: Stub, sign_request: SignRequest
) -> None:
    bad_fee = terms_pb2.Fee(
        amount=terms_pb2.Money(currency_code="XYZ", amount="10.00"),
        period=terms_pb2.PERIOD_UNIT_MONTH,
    )
    request = sign_request("sla-1", time_zone="Mars/Olympus", fee=bad_fee)

    try:
        stub.SignAgreement(request, timeout=RPC_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        status = rpc_status.from_call(error)
    else:
        raise AssertionError("SignAgreement accepted invalid terms")

    assert status is not None, "no grpc-status-details-bin in the trailing metadata"
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == [
        "terms.time_zone",
        "terms.fee.amount.currency_code",
    ]


def test_the_audit_trail_shows_each_events_record_time_and_its_unauthenticated_caller(
    stub: Stub, sign_request: SignRequest, minute_readings: MinuteReadings
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=RPC_TIMEOUT_SECONDS)
    stub.RecordMeasurements(minute_readings("sla-1", 10), timeout=RPC_TIMEOUT_SECONDS)

    events = stub.ListEvents(
        ledger_service_pb2.ListEventsRequest(agreement_id="sla-1"), timeout=RPC_TIMEOUT_SECONDS
    ).events

    assert [e.WhichOneof("payload") for e in events] == ["agreement_signed", "metric_measured"]
    assert all(e.actor.startswith("unauthenticated ipv4:127.0.0.1:") for e in events)
    assert all(e.recorded_at.seconds > 0 for e in events)
