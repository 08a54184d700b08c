"""SignAgreement through the servicer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AllEvents = Callable[[str], list[events_pb2.LedgerEvent]]

UNKNOWN_CURRENCY_FEE = terms_pb2.Fee(
    amount=terms_pb2.Money(currency_code="XYZ", amount="10.00"),
    period=terms_pb2.PERIOD_UNIT_MONTH,
)


def test_signing_returns_the_agreement_at_version_1(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    response = invoke_ok("SignAgreement", sign_request("sla-1"))

    assert response.agreement.agreement_id == "sla-1"
    assert response.agreement.version == 1
    assert response.agreement.terms_version == 1
    assert response.agreement.status == terms_pb2.AGREEMENT_STATUS_ACTIVE


def test_signing_returns_the_terms_as_signed(invoke_ok: Invoke, sign_request: SignRequest) -> None:
    request = sign_request("sla-1")

    response = invoke_ok("SignAgreement", request)

    assert response.agreement.terms == request.terms


def test_signing_returns_the_log_position_of_the_signed_event(
    invoke_ok: Invoke, sign_request: SignRequest, all_events: AllEvents
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-0"))

    response = invoke_ok("SignAgreement", sign_request("sla-1"))

    [signed] = all_events("sla-1")
    assert signed.HasField("agreement_signed")
    assert response.log_position == signed.position == 2


def test_signing_an_agreement_id_that_is_taken_is_already_exists(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    ended = invoke("SignAgreement", sign_request("sla-1"))

    assert ended.code is grpc.StatusCode.ALREADY_EXISTS


def test_signing_invalid_terms_is_invalid_argument_naming_the_bad_fields(
    invoke: Invoke, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="Mars/Olympus", fee=UNKNOWN_CURRENCY_FEE)

    ended = invoke("SignAgreement", request)

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "terms.time_zone" in ended.details
    assert "terms.fee.amount.currency_code" in ended.details


def test_signing_invalid_terms_attaches_a_bad_request_listing_the_field_paths(
    invoke_directly: Invoke,
    sign_request: SignRequest,
    bad_request_fields: Callable[[Any], list[str]],
) -> None:
    request = sign_request("sla-1", time_zone="Mars/Olympus", fee=UNKNOWN_CURRENCY_FEE)

    context = invoke_directly("SignAgreement", request)

    assert context.code is grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(context.trailing_metadata) == [
        "terms.time_zone",
        "terms.fee.amount.currency_code",
    ]


def test_signing_without_terms_names_terms_as_required(
    invoke_directly: Invoke, bad_request_fields: Callable[[Any], list[str]]
) -> None:
    request = ledger_service_pb2.SignAgreementRequest(agreement_id="sla-1")
    request.signed_at.FromSeconds(1_767_225_600)

    context = invoke_directly("SignAgreement", request)

    assert "terms" in bad_request_fields(context.trailing_metadata)


def test_signing_with_an_invalid_agreement_id_names_agreement_id(
    invoke_directly: Invoke,
    sign_request: SignRequest,
    bad_request_fields: Callable[[Any], list[str]],
) -> None:
    context = invoke_directly("SignAgreement", sign_request("no spaces/allowed"))

    assert bad_request_fields(context.trailing_metadata) == ["agreement_id"]


def test_refused_signing_writes_no_event(
    invoke: Invoke, sign_request: SignRequest, all_events: AllEvents
) -> None:
    invoke("SignAgreement", sign_request("sla-1", time_zone="Mars/Olympus"))

    assert all_events("") == []
