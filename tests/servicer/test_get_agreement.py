"""GetAgreement through the servicer: business time (as_of) and record time (known_at)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2, terms_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AmendRequest = Callable[..., ledger_service_pb2.AmendAgreementRequest]
TerminateRequest = Callable[..., ledger_service_pb2.TerminateAgreementRequest]
GetRequest = Callable[..., ledger_service_pb2.GetAgreementRequest]

# The clock starts at 2026-06-01T00:00Z; the default request dates are before it.
SIGNED_RECORDED = datetime(2026, 6, 1, tzinfo=UTC)
AMENDED_RECORDED = datetime(2026, 6, 10, tzinfo=UTC)
EFFECTIVE_FROM = datetime(2026, 3, 1, tzinfo=UTC)
TERMINATED_AT = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def signed_then_amended(
    invoke_ok: Invoke,
    set_clock: Callable[[datetime], None],
    sign_request: SignRequest,
    amend_request: AmendRequest,
) -> None:
    """sla-1 signed (recorded 2026-06-01), then amended from 2026-03-01 (recorded 2026-06-10)."""
    set_clock(SIGNED_RECORDED)
    invoke_ok("SignAgreement", sign_request("sla-1"))
    set_clock(AMENDED_RECORDED)
    invoke_ok("AmendAgreement", amend_request("sla-1", effective_from=EFFECTIVE_FROM))


@pytest.fixture
def signed_then_terminated(
    invoke_ok: Invoke, sign_request: SignRequest, terminate_request: TerminateRequest
) -> None:
    """sla-1 signed, then terminated with effect from 2026-04-01."""
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok("TerminateAgreement", terminate_request("sla-1", effective_at=TERMINATED_AT))


@pytest.mark.usefixtures("signed_then_amended")
def test_as_of_before_the_amendment_takes_effect_gives_terms_version_1(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok(
        "GetAgreement", get_request("sla-1", as_of=datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    )

    assert response.agreement.terms_version == 1
    assert response.agreement.terms.fee.amount.amount == "1000.00"


@pytest.mark.usefixtures("signed_then_amended")
def test_as_of_once_the_amendment_takes_effect_gives_terms_version_2(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok("GetAgreement", get_request("sla-1", as_of=EFFECTIVE_FROM))

    assert response.agreement.terms_version == 2
    assert response.agreement.terms.fee.amount.amount == "1500.00"
    assert response.agreement.terms_effective_from.ToDatetime(tzinfo=UTC) == EFFECTIVE_FROM


@pytest.mark.usefixtures("signed_then_amended")
def test_known_at_before_the_amendment_was_recorded_gives_terms_version_1(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok(
        "GetAgreement",
        get_request("sla-1", as_of=EFFECTIVE_FROM, known_at=datetime(2026, 6, 5, tzinfo=UTC)),
    )

    assert (response.agreement.terms_version, response.agreement.version) == (1, 1)


@pytest.mark.usefixtures("signed_then_amended")
def test_known_at_once_the_amendment_was_recorded_gives_terms_version_2(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok(
        "GetAgreement", get_request("sla-1", as_of=EFFECTIVE_FROM, known_at=AMENDED_RECORDED)
    )

    assert (response.agreement.terms_version, response.agreement.version) == (2, 2)


def test_known_at_before_the_signing_was_recorded_is_not_found(
    invoke: Invoke,
    invoke_ok: Invoke,
    set_clock: Callable[[datetime], None],
    sign_request: SignRequest,
    get_request: GetRequest,
) -> None:
    set_clock(SIGNED_RECORDED)
    invoke_ok("SignAgreement", sign_request("sla-1"))

    ended = invoke(
        "GetAgreement", get_request("sla-1", known_at=datetime(2026, 5, 31, 23, 59, tzinfo=UTC))
    )

    assert ended.code is grpc.StatusCode.NOT_FOUND


def test_without_as_of_and_known_at_the_clock_decides(
    invoke_ok: Invoke,
    set_clock: Callable[[datetime], None],
    sign_request: SignRequest,
    amend_request: AmendRequest,
    get_request: GetRequest,
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok(
        "AmendAgreement", amend_request("sla-1", effective_from=datetime(2026, 7, 1, tzinfo=UTC))
    )
    before = invoke_ok("GetAgreement", get_request("sla-1"))

    set_clock(datetime(2026, 7, 1, tzinfo=UTC))
    after = invoke_ok("GetAgreement", get_request("sla-1"))

    assert (before.agreement.terms_version, after.agreement.terms_version) == (1, 2)


def test_as_of_before_signing_is_not_found(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest, get_request: GetRequest
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    ended = invoke("GetAgreement", get_request("sla-1", as_of=datetime(2025, 12, 1, tzinfo=UTC)))

    assert ended.code is grpc.StatusCode.NOT_FOUND


def test_an_unknown_agreement_is_not_found(invoke: Invoke, get_request: GetRequest) -> None:
    ended = invoke("GetAgreement", get_request("no-such-agreement"))

    assert ended.code is grpc.StatusCode.NOT_FOUND


@pytest.mark.usefixtures("signed_then_terminated")
def test_as_of_after_the_termination_took_effect_is_terminated(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok("GetAgreement", get_request("sla-1", as_of=TERMINATED_AT))

    assert response.agreement.status == terms_pb2.AGREEMENT_STATUS_TERMINATED


@pytest.mark.usefixtures("signed_then_terminated")
def test_as_of_before_the_termination_takes_effect_is_active(
    invoke_ok: Invoke, get_request: GetRequest
) -> None:
    response = invoke_ok(
        "GetAgreement", get_request("sla-1", as_of=datetime(2026, 3, 31, tzinfo=UTC))
    )

    assert response.agreement.status == terms_pb2.AGREEMENT_STATUS_ACTIVE
    assert response.agreement.terminated_at.ToDatetime(tzinfo=UTC) == TERMINATED_AT
