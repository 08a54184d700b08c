"""Where the code tells a refusal's case apart, the status names the finer reason; NOT_FOUND
names the resource that is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests.error_details import details_of, error_info, status_from_trailers

Invoke = Callable[[str, Message], Any]
Refused = Callable[[str, Message], tuple[grpc.StatusCode, status_pb2.Status]]


@pytest.fixture
def refused(invoke_directly: Callable[[str, Message], Any]) -> Refused:
    """The code and google.rpc.Status a call is refused with."""

    def call(method: str, request: Message) -> tuple[grpc.StatusCode, status_pb2.Status]:
        context = invoke_directly(method, request)
        return context.code, status_from_trailers(context.trailing_metadata)

    return call


@pytest.fixture
def signed(invoke_ok: Invoke, sign_request: Callable[..., pb.SignAgreementRequest]) -> str:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    return "sla-1"


def test_amending_a_terminated_agreement_is_agreement_terminated(
    refused: Refused, invoke_ok: Invoke, signed: str, terminate_request: Any, amend_request: Any
) -> None:
    invoke_ok("TerminateAgreement", terminate_request(signed))

    code, status = refused("AmendAgreement", amend_request(signed))

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "AGREEMENT_TERMINATED",
    )


def test_a_stale_expected_version_is_a_mismatch_not_a_concurrent_write(
    refused: Refused, signed: str, amend_request: Any
) -> None:
    code, status = refused("AmendAgreement", amend_request(signed, expected_version=9))

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.ABORTED,
        "EXPECTED_VERSION_MISMATCH",
    )
    assert details_of(status, error_details_pb2.RetryInfo) == []


def test_a_request_id_reused_for_another_call_is_request_id_reused(
    refused: Refused, invoke_ok: Invoke, sign_request: Callable[..., pb.SignAgreementRequest]
) -> None:
    first = sign_request("sla-1")
    first.request_id = "once"
    invoke_ok("SignAgreement", first)
    other = sign_request("sla-2")
    other.request_id = "once"

    code, status = refused("SignAgreement", other)

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "REQUEST_ID_REUSED",
    )


def test_a_taken_agreement_id_is_resource_already_exists(
    refused: Refused, signed: str, sign_request: Callable[..., pb.SignAgreementRequest]
) -> None:
    code, status = refused("SignAgreement", sign_request(signed))

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "RESOURCE_ALREADY_EXISTS",
    )


def test_an_objective_the_agreement_lacks_is_not_found_naming_the_objective(
    refused: Refused, signed: str
) -> None:
    request = pb.GetComplianceRequest(agreement_id=signed, objective_id="latency")

    code, status = refused("GetCompliance", request)

    (resource,) = details_of(status, error_details_pb2.ResourceInfo)
    assert code is grpc.StatusCode.NOT_FOUND
    assert (resource.resource_type, resource.resource_name) == (
        "objective",
        "agreements/sla-1/objectives/latency",
    )


def test_recalculating_a_period_not_closed_is_not_found_naming_the_period(
    refused: Refused, signed: str
) -> None:
    request = pb.RecalculatePeriodRequest(
        agreement_id=signed, objective_id="availability", period_label="2026-03"
    )

    code, status = refused("RecalculatePeriod", request)

    (resource,) = details_of(status, error_details_pb2.ResourceInfo)
    assert code is grpc.StatusCode.NOT_FOUND
    assert (resource.resource_type, resource.resource_name) == (
        "period",
        "agreements/sla-1/objectives/availability/periods/2026-03",
    )
    assert dict(error_info(status).metadata) == {
        "agreement_id": "sla-1",
        "objective_id": "availability",
        "period_label": "2026-03",
    }
