"""ListEvents through the servicer: the event_types filter and the record-time range.

sla-1 is signed at 10:00, amended at 11:00 and terminated at 12:00 on 2026-06-01 (record
times); sla-2 is signed at 13:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
Fields = Callable[[str, Message], list[str]]


def _at(hour: int) -> datetime:
    return datetime(2026, 6, 1, hour, tzinfo=UTC)


@pytest.fixture
def history(
    invoke_ok: Invoke,
    set_clock: Callable[[datetime], None],
    sign_request: Callable[..., pb.SignAgreementRequest],
    amend_request: Callable[..., pb.AmendAgreementRequest],
    terminate_request: Callable[..., pb.TerminateAgreementRequest],
) -> None:
    """The two agreements' four events, each recorded at its hour."""
    for hour, method, request in (
        (10, "SignAgreement", sign_request("sla-1")),
        (11, "AmendAgreement", amend_request("sla-1")),
        (12, "TerminateAgreement", terminate_request("sla-1")),
        (13, "SignAgreement", sign_request("sla-2")),
    ):
        set_clock(_at(hour))
        invoke_ok(method, request)


@pytest.fixture
def refused_fields(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Fields:
    """The fields an INVALID_ARGUMENT refusal of a call names."""

    def fields(method: str, request: Message) -> list[str]:
        context = invoke_directly(method, request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


def _listed(invoke_ok: Invoke, **fields: Any) -> list[tuple[str, str]]:
    """(agreement, payload type) of every event of the listing, page by page."""
    found: list[tuple[str, str]] = []
    token = ""
    while True:
        page = invoke_ok("ListEvents", pb.ListEventsRequest(page_token=token, **fields))
        found.extend((e.agreement_id, e.WhichOneof("payload")) for e in page.events)
        token = page.next_page_token
        if not token:
            return found


@pytest.mark.usefixtures("history")
def test_event_types_keep_only_those_types_across_the_ledger(invoke_ok: Invoke) -> None:
    listed = _listed(invoke_ok, event_types=["agreement_signed"], page_size=1)

    assert listed == [("sla-1", "agreement_signed"), ("sla-2", "agreement_signed")]


@pytest.mark.usefixtures("history")
def test_event_types_keep_only_those_types_of_one_agreement(invoke_ok: Invoke) -> None:
    listed = _listed(
        invoke_ok, agreement_id="sla-1", event_types=["agreementTerminated", "agreement_amended"]
    )

    assert listed == [("sla-1", "agreement_amended"), ("sla-1", "agreement_terminated")]


@pytest.mark.usefixtures("history")
def test_the_record_time_range_includes_its_start_and_excludes_its_end(invoke_ok: Invoke) -> None:
    listed = _listed(
        invoke_ok, recorded_from=build.timestamp(_at(11)), recorded_to=build.timestamp(_at(13))
    )

    assert listed == [("sla-1", "agreement_amended"), ("sla-1", "agreement_terminated")]


@pytest.mark.usefixtures("history")
def test_types_and_record_times_filter_together(invoke_ok: Invoke) -> None:
    listed = _listed(
        invoke_ok, event_types=["agreement_signed"], recorded_from=build.timestamp(_at(11))
    )

    assert listed == [("sla-2", "agreement_signed")]


@pytest.mark.usefixtures("history")
def test_a_token_of_an_unfiltered_listing_does_not_continue_a_filtered_one(
    invoke_ok: Invoke, refused_fields: Fields
) -> None:
    token = invoke_ok("ListEvents", pb.ListEventsRequest(page_size=1)).next_page_token

    fields = refused_fields(
        "ListEvents",
        pb.ListEventsRequest(page_token=token, event_types=["agreement_signed"]),
    )

    assert fields == ["page_token"]


def test_an_unknown_event_type_is_refused_naming_its_index(refused_fields: Fields) -> None:
    request = pb.ListEventsRequest(event_types=["agreement_signed", "agreement_sold"])

    assert refused_fields("ListEvents", request) == ["event_types[1]"]


def test_more_than_64_event_types_are_refused(refused_fields: Fields) -> None:
    request = pb.ListEventsRequest(event_types=["agreement_signed"] * 65)

    assert refused_fields("ListEvents", request) == ["event_types"]


def test_a_record_range_ending_at_or_before_its_start_is_refused(refused_fields: Fields) -> None:
    request = pb.ListEventsRequest(
        recorded_from=build.timestamp(_at(11)), recorded_to=build.timestamp(_at(11))
    )

    assert refused_fields("ListEvents", request) == ["recorded_to"]


def test_a_record_instant_outside_the_documented_range_is_refused(refused_fields: Fields) -> None:
    request = pb.ListEventsRequest(recorded_from=build.timestamp(datetime(1969, 1, 1, tzinfo=UTC)))

    assert refused_fields("ListEvents", request) == ["recorded_from"]
