"""ListEvents through the servicer: paging, page tokens and page sizes."""

from __future__ import annotations

import base64
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
def three_events(
    invoke_ok: Invoke,
    sign_request: SignRequest,
    amend_request: AmendRequest,
    terminate_request: TerminateRequest,
) -> None:
    """Agreement sla-1 signed, amended and terminated."""
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok("AmendAgreement", amend_request("sla-1"))
    invoke_ok("TerminateAgreement", terminate_request("sla-1"))


def _list(agreement_id: str = "", page_size: int = 0, page_token: str = "") -> Message:
    return ledger_service_pb2.ListEventsRequest(
        agreement_id=agreement_id, page_size=page_size, page_token=page_token
    )


def _forged_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.usefixtures("three_events")
def test_a_full_page_carries_a_next_page_token(invoke_ok: Invoke) -> None:
    page = invoke_ok("ListEvents", _list("sla-1", page_size=2))

    assert len(page.events) == 2
    assert page.next_page_token


@pytest.mark.usefixtures("three_events")
def test_the_page_token_continues_after_the_last_event_of_the_previous_page(
    invoke_ok: Invoke, all_events: AllEvents
) -> None:
    first = invoke_ok("ListEvents", _list("sla-1", page_size=2))

    second = invoke_ok("ListEvents", _list("sla-1", page_size=2, page_token=first.next_page_token))

    paged = [event.position for event in [*first.events, *second.events]]
    assert paged == [event.position for event in all_events("sla-1")]


@pytest.mark.usefixtures("three_events")
def test_the_last_page_has_no_next_page_token(invoke_ok: Invoke) -> None:
    first = invoke_ok("ListEvents", _list("sla-1", page_size=2))

    second = invoke_ok("ListEvents", _list("sla-1", page_size=2, page_token=first.next_page_token))

    assert len(second.events) == 1
    assert second.next_page_token == ""


@pytest.mark.usefixtures("three_events")
def test_events_come_in_log_order_with_their_payloads(all_events: AllEvents) -> None:
    events = all_events("sla-1")

    assert [event.WhichOneof("payload") for event in events] == [
        "agreement_signed",
        "agreement_amended",
        "agreement_terminated",
    ]
    assert [event.position for event in events] == sorted(event.position for event in events)
    assert [event.stream_version for event in events] == [1, 2, 3]


def test_listing_one_agreement_leaves_out_an_agreement_whose_id_extends_it(
    invoke_ok: Invoke, sign_request: SignRequest, all_events: AllEvents
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    invoke_ok("SignAgreement", sign_request("sla-10"))

    assert [event.agreement_id for event in all_events("sla-1")] == ["sla-1"]


@pytest.mark.usefixtures("three_events")
def test_a_page_token_issued_for_another_agreement_is_invalid_argument(
    invoke: Invoke, invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-2"))
    token = invoke_ok("ListEvents", _list("sla-1", page_size=1)).next_page_token

    ended = invoke("ListEvents", _list("sla-2", page_token=token))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in ended.details


@pytest.mark.usefixtures("three_events")
def test_a_page_token_issued_for_one_agreement_is_invalid_for_the_whole_ledger(
    invoke: Invoke, invoke_ok: Invoke
) -> None:
    token = invoke_ok("ListEvents", _list("sla-1", page_size=1)).next_page_token

    ended = invoke("ListEvents", _list("", page_token=token))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    "token",
    ["garbage!", "bm90IGEgdG9rZW4", _forged_token("e1||-1"), _forged_token("e9||5")],
    ids=["not-base64", "not-a-token", "negative-position", "unknown-version"],
)
def test_a_garbage_page_token_is_invalid_argument(invoke: Invoke, token: str) -> None:
    ended = invoke("ListEvents", _list(page_token=token))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in ended.details


def test_a_page_token_with_a_position_beyond_int64_is_invalid_argument(invoke: Invoke) -> None:
    ended = invoke("ListEvents", _list(page_token=_forged_token(f"e1||{2**63 - 1}")))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("page_size", [5000, 1001, -1])
def test_a_page_size_outside_0_to_1000_is_invalid_argument(invoke: Invoke, page_size: int) -> None:
    ended = invoke("ListEvents", _list(page_size=page_size))

    assert ended.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_size" in ended.details


def test_a_page_size_of_5000_is_named_in_the_bad_request(
    invoke_directly: Invoke, bad_request_fields: Callable[[Any], list[str]]
) -> None:
    context = invoke_directly("ListEvents", _list(page_size=5000))

    assert bad_request_fields(context.trailing_metadata) == ["page_size"]


@pytest.mark.usefixtures("three_events")
def test_page_size_0_means_100(invoke_ok: Invoke, sign_request: SignRequest) -> None:
    for index in range(2, 102):
        invoke_ok("SignAgreement", sign_request(f"sla-{index}"))

    page = invoke_ok("ListEvents", _list(page_size=0))

    assert len(page.events) == 100
    assert page.next_page_token
