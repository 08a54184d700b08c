"""AmendAgreement and TerminateAgreement through the servicer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AmendRequest = Callable[..., ledger_service_pb2.AmendAgreementRequest]
TerminateRequest = Callable[..., ledger_service_pb2.TerminateAgreementRequest]
AllEvents = Callable[[str], list[events_pb2.LedgerEvent]]


@pytest.fixture
def signed(invoke_ok: Invoke, sign_request: SignRequest) -> None:
    """Agreement sla-1, signed (version 1)."""
    invoke_ok("SignAgreement", sign_request("sla-1"))


@pytest.fixture
def terminated(signed: None, invoke_ok: Invoke, terminate_request: TerminateRequest) -> None:
    """Agreement sla-1, signed and then terminated."""
    invoke_ok("TerminateAgreement", terminate_request("sla-1"))


@pytest.mark.usefixtures("signed")
def test_amending_with_the_current_expected_version_gives_version_2_and_terms_version_2(
    invoke_ok: Invoke, amend_request: AmendRequest
) -> None:
    response = invoke_ok("AmendAgreement", amend_request("sla-1", expected_version=1))

    assert (response.version, response.terms_version) == (2, 2)


@pytest.mark.usefixtures("signed")
def test_amending_returns_the_log_position_of_the_amended_event(
    invoke_ok: Invoke, amend_request: AmendRequest, all_events: AllEvents
) -> None:
    response = invoke_ok("AmendAgreement", amend_request("sla-1"))

    amended = all_events("sla-1")[-1]
    assert amended.HasField("agreement_amended")
    assert response.log_position == amended.position


@pytest.mark.usefixtures("signed")
def test_amending_with_a_stale_expected_version_is_aborted(
    invoke: Invoke, invoke_ok: Invoke, amend_request: AmendRequest
) -> None:
    invoke_ok("AmendAgreement", amend_request("sla-1", expected_version=1))

    ended = invoke("AmendAgreement", amend_request("sla-1", expected_version=1))

    assert ended.code is grpc.StatusCode.ABORTED


@pytest.mark.usefixtures("signed")
def test_aborted_amendment_writes_no_event(
    invoke: Invoke, amend_request: AmendRequest, all_events: AllEvents
) -> None:
    invoke("AmendAgreement", amend_request("sla-1", expected_version=7))

    assert len(all_events("sla-1")) == 1


def test_amending_an_unknown_agreement_is_not_found(
    invoke: Invoke, amend_request: AmendRequest
) -> None:
    ended = invoke("AmendAgreement", amend_request("no-such-agreement"))

    assert ended.code is grpc.StatusCode.NOT_FOUND


@pytest.mark.usefixtures("terminated")
def test_terminating_twice_is_failed_precondition(
    invoke: Invoke, terminate_request: TerminateRequest
) -> None:
    ended = invoke("TerminateAgreement", terminate_request("sla-1"))

    assert ended.code is grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.usefixtures("signed")
def test_terminating_gives_the_next_version(
    invoke_ok: Invoke, terminate_request: TerminateRequest
) -> None:
    response = invoke_ok("TerminateAgreement", terminate_request("sla-1", expected_version=1))

    assert response.version == 2


@pytest.mark.usefixtures("signed")
def test_terminating_with_a_stale_expected_version_is_aborted(
    invoke: Invoke,
    invoke_ok: Invoke,
    amend_request: AmendRequest,
    terminate_request: TerminateRequest,
) -> None:
    invoke_ok("AmendAgreement", amend_request("sla-1"))

    ended = invoke("TerminateAgreement", terminate_request("sla-1", expected_version=1))

    assert ended.code is grpc.StatusCode.ABORTED


@pytest.mark.usefixtures("terminated")
def test_amending_a_terminated_agreement_is_failed_precondition(
    invoke: Invoke, amend_request: AmendRequest
) -> None:
    ended = invoke("AmendAgreement", amend_request("sla-1"))

    assert ended.code is grpc.StatusCode.FAILED_PRECONDITION


def test_terminating_an_unknown_agreement_is_not_found(
    invoke: Invoke, terminate_request: TerminateRequest
) -> None:
    ended = invoke("TerminateAgreement", terminate_request("no-such-agreement"))

    assert ended.code is grpc.StatusCode.NOT_FOUND
