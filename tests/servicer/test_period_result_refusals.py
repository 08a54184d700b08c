"""ListPeriodResults refuses what is outside its documented ranges at the door, naming the field
(docs/input-ranges.md), and its page tokens continue only the listing they came from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from projections.period_listing import PeriodFilter, PeriodKey
from service.api.period_inputs import period_listing
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from tests import proto_builders as build

Fields = Callable[[history_pb.ListPeriodResultsRequest], list[str]]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
KEY = PeriodKey(datetime(2026, 1, 1, tzinfo=UTC), "sla-1", "globex", "availability", "2026-01")


@pytest.fixture
def refused_fields(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Fields:
    """The fields an INVALID_ARGUMENT refusal of ListPeriodResults names."""

    def fields(request: history_pb.ListPeriodResultsRequest) -> list[str]:
        context = invoke_directly("ListPeriodResults", request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


def _token(request: history_pb.ListPeriodResultsRequest) -> str:
    """A token the listing of request issues after KEY."""
    return period_listing(request, NOW).next_token(KEY)


def test_a_listing_naming_neither_agreement_nor_customer_is_refused(
    refused_fields: Fields,
) -> None:
    assert refused_fields(history_pb.ListPeriodResultsRequest()) == ["customer_id"]


def test_a_page_size_above_500_is_refused(refused_fields: Fields) -> None:
    request = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", page_size=501)

    assert refused_fields(request) == ["page_size"]


def test_a_window_range_ending_where_it_starts_is_refused(refused_fields: Fields) -> None:
    request = history_pb.ListPeriodResultsRequest(
        customer_id="globex",
        window_start_from=build.timestamp(NOW),
        window_start_to=build.timestamp(NOW),
    )

    assert refused_fields(request) == ["window_start_to"]


def test_a_known_at_from_2200_on_is_refused(refused_fields: Fields) -> None:
    request = history_pb.ListPeriodResultsRequest(
        agreement_id="sla-1", known_at=build.timestamp(datetime(2200, 1, 1, tzinfo=UTC))
    )

    assert refused_fields(request) == ["known_at"]


def test_filters_that_are_neither_empty_nor_identifiers_are_refused(
    refused_fields: Fields,
) -> None:
    request = history_pb.ListPeriodResultsRequest(
        agreement_id="sla 1", customer_id="glo/bex", objective_id="x" * 129
    )

    assert refused_fields(request) == ["agreement_id", "customer_id", "objective_id"]


def test_a_min_log_position_beyond_2_to_the_53_is_refused(refused_fields: Fields) -> None:
    request = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", min_log_position=2**53 + 1)

    assert refused_fields(request) == ["min_log_position"]


def test_a_token_of_another_listing_is_refused(refused_fields: Fields) -> None:
    other = _token(history_pb.ListPeriodResultsRequest(agreement_id="sla-2"))

    request = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", page_token=other)

    assert refused_fields(request) == ["page_token"]


def test_a_token_with_another_known_at_is_refused(refused_fields: Fields) -> None:
    first = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", known_at=build.timestamp(NOW))
    request = history_pb.ListPeriodResultsRequest(
        agreement_id="sla-1",
        known_at=build.timestamp(datetime(2026, 5, 1, tzinfo=UTC)),
        page_token=_token(first),
    )

    assert refused_fields(request) == ["page_token"]


@pytest.mark.parametrize("token", ["garbage", "cDE", "W10", "WyJwMSJd"])
def test_a_token_the_listing_never_issued_is_refused(refused_fields: Fields, token: str) -> None:
    request = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", page_token=token)

    assert refused_fields(request) == ["page_token"]


def test_a_token_continues_after_its_period_at_the_known_at_of_the_first_page() -> None:
    first = history_pb.ListPeriodResultsRequest(customer_id="globex")
    then = datetime(2026, 7, 1, tzinfo=UTC)

    listing = period_listing(
        history_pb.ListPeriodResultsRequest(customer_id="globex", page_token=_token(first)), then
    )

    assert (listing.after, listing.known_at, listing.where) == (
        KEY,
        NOW,
        PeriodFilter(customer_id="globex"),
    )


def test_a_valid_listing_on_a_server_without_read_models_fails_its_precondition(
    invoke_directly: Callable[[str, Message], Any],
) -> None:
    context = invoke_directly(
        "ListPeriodResults", history_pb.ListPeriodResultsRequest(agreement_id="sla-1")
    )

    assert context.code is grpc.StatusCode.FAILED_PRECONDITION
