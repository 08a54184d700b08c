"""SubscribeCustomer, ChangeSubscriptionTier, EndSubscription and GetSubscription through the
servicer: what each replies, the refusals at the door and the command's, and retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import service_sla_requests as svc

TERM_START = datetime(2026, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2025, 12, 15, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)

Invoke = Callable[[str, Message], Any]


@pytest.fixture
def refused(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Callable[[str, Message], list[str]]:
    """The fields an INVALID_ARGUMENT refusal of a call names."""

    def fields(method: str, request: Message) -> list[str]:
        context = invoke_directly(method, request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


@pytest.fixture
def service(invoke_ok: Invoke) -> str:
    """The service SLA signed, with its basic and premium tiers."""
    invoke_ok("SignAgreement", svc.sign_service(TERM_START, SIGNED_AT))
    return svc.SERVICE


@pytest.fixture
def subscribed(invoke_ok: Invoke, service: str) -> pb.SubscribeCustomerResponse:
    """Globex subscribed to basic from March."""
    response: pb.SubscribeCustomerResponse = invoke_ok(
        "SubscribeCustomer", svc.subscribe("globex", "basic", MARCH)
    )
    return response


def test_a_subscription_replies_with_its_tier_fee_and_position(
    subscribed: pb.SubscribeCustomerResponse,
) -> None:
    subscription = subscribed.subscription

    assert (subscription.agreement_id, subscription.customer.party_id) == ("cloud-sla", "globex")
    assert (subscription.tier_id, subscription.fee.amount.amount) == ("basic", "1000.00")
    assert subscription.status == svc.ACTIVE
    assert subscription.version == 1
    assert subscribed.log_position > 0


def test_the_service_sla_is_read_back_with_its_tiers(invoke_ok: Invoke, service: str) -> None:
    agreement = invoke_ok("GetAgreement", pb.GetAgreementRequest(agreement_id=service)).agreement

    assert [t.tier_id for t in agreement.terms.tiers] == ["basic", "premium"]
    assert agreement.terms.tiers[1].objectives[0].target_percent == "99.9"
    assert agreement.terms.tiers[1].credit_policy.bands.bands[1].credit_percent == "50"
    assert not agreement.terms.objectives


def test_a_tier_change_replies_with_the_new_tier_from_its_instant(
    invoke_ok: Invoke, subscribed: Any
) -> None:
    changed = invoke_ok("ChangeSubscriptionTier", svc.change_tier("globex", "premium", APRIL))

    assert changed.subscription.tier_id == "premium"
    assert [c.tier_id for c in changed.subscription.changes] == ["basic", "premium"]
    assert changed.subscription.version == 2


def test_an_ended_subscription_replies_ended(invoke_ok: Invoke, subscribed: Any) -> None:
    ended = invoke_ok("EndSubscription", svc.end("globex", MAY))

    assert ended.subscription.status == svc.ENDED
    assert ended.subscription.ended
    assert ended.subscription.end.ToDatetime(tzinfo=UTC) == MAY


def test_get_subscription_reads_the_tier_in_force_at_as_of(
    invoke_ok: Invoke, subscribed: Any
) -> None:
    invoke_ok("ChangeSubscriptionTier", svc.change_tier("globex", "premium", APRIL))

    before = invoke_ok("GetSubscription", svc.get("globex", as_of=MARCH)).subscription
    after = invoke_ok("GetSubscription", svc.get("globex", as_of=APRIL)).subscription
    pending = invoke_ok("GetSubscription", svc.get("globex", as_of=TERM_START)).subscription

    assert (before.tier_id, after.tier_id) == ("basic", "premium")
    assert pending.status == svc.PENDING


def test_get_subscription_of_a_customer_without_one_is_not_found(
    invoke: Callable[[str, Message], Any], service: str
) -> None:
    assert invoke("GetSubscription", svc.get("initech")).code is grpc.StatusCode.NOT_FOUND


def test_an_unknown_tier_is_invalid_argument_naming_tier_id(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    assert refused("SubscribeCustomer", svc.subscribe("globex", "gold", MARCH)) == ["tier_id"]


def test_a_second_subscription_of_a_customer_is_already_exists(
    invoke: Callable[[str, Message], Any], subscribed: Any
) -> None:
    again = invoke("SubscribeCustomer", svc.subscribe("globex", "premium", APRIL))

    assert again.code is grpc.StatusCode.ALREADY_EXISTS


def test_subscribing_to_a_customer_agreement_is_failed_precondition(
    invoke: Callable[[str, Message], Any], invoke_ok: Invoke, sign_request: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))

    ended = invoke(
        "SubscribeCustomer", svc.subscribe("globex", "basic", MARCH, agreement_id="sla-1")
    )

    assert ended.code is grpc.StatusCode.FAILED_PRECONDITION


def test_an_end_before_the_start_is_invalid_argument_naming_end(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    request = svc.subscribe("globex", "basic", APRIL, end=MARCH)

    assert refused("SubscribeCustomer", request) == ["end"]


def test_ending_before_the_start_is_invalid_argument_naming_end_at(
    refused: Callable[[str, Message], list[str]], subscribed: Any
) -> None:
    assert refused("EndSubscription", svc.end("globex", TERM_START)) == ["end_at"]


def test_every_malformed_field_of_a_subscription_is_named_at_once(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    request = svc.subscribe("bad id!", "gold", MARCH)
    request.fee.amount.amount = "1e3"
    request.ClearField("start")

    assert sorted(refused("SubscribeCustomer", request)) == [
        "customer.party_id",
        "fee.amount.amount",
        "start",
        "tier_id",
    ]


def test_a_stale_expected_version_of_a_tier_change_is_aborted(
    invoke: Callable[[str, Message], Any], subscribed: Any
) -> None:
    request = svc.change_tier("globex", "premium", APRIL)
    request.expected_version = 7

    assert invoke("ChangeSubscriptionTier", request).code is grpc.StatusCode.ABORTED


def test_a_repeated_subscription_request_gets_the_first_reply_and_appends_nothing(
    invoke_ok: Invoke, service: str, all_events: Callable[[str], list[Any]]
) -> None:
    request = svc.subscribe("globex", "basic", MARCH, request_id="sub-1")
    first = invoke_ok("SubscribeCustomer", request)
    count = len(all_events(service))

    again = invoke_ok("SubscribeCustomer", request)

    assert again == first
    assert len(all_events(service)) == count


def test_a_repeated_tier_change_request_gets_the_first_reply(
    invoke_ok: Invoke, subscribed: Any
) -> None:
    request = svc.change_tier("globex", "premium", APRIL)
    request.request_id = "change-1"
    first = invoke_ok("ChangeSubscriptionTier", request)

    assert invoke_ok("ChangeSubscriptionTier", request) == first


def test_a_request_id_reused_for_another_subscription_is_already_exists(
    invoke: Callable[[str, Message], Any], invoke_ok: Invoke, service: str
) -> None:
    invoke_ok("SubscribeCustomer", svc.subscribe("globex", "basic", MARCH, request_id="sub-1"))

    other = invoke(
        "SubscribeCustomer", svc.subscribe("initech", "basic", MARCH, request_id="sub-1")
    )

    assert other.code is grpc.StatusCode.ALREADY_EXISTS


def test_the_subscription_events_are_listed_in_the_public_schema(
    invoke_ok: Invoke, subscribed: Any, all_events: Callable[[str], list[Any]]
) -> None:
    invoke_ok("ChangeSubscriptionTier", svc.change_tier("globex", "premium", APRIL))
    invoke_ok("EndSubscription", svc.end("globex", MAY))

    events = [e for e in all_events(svc.SERVICE) if "customer:" in e.stream_id]

    assert [e.WhichOneof("payload") for e in events] == [
        "customer_subscribed",
        "subscription_tier_changed",
        "subscription_ended",
    ]
    assert {e.agreement_id for e in events} == {"cloud-sla"}
    assert events[0].customer_subscribed.customer.party_id == "globex"
    assert events[1].subscription_tier_changed.terms.tier_id == "premium"
    assert events[1].subscription_tier_changed.customer_id == "globex"
    assert events[2].subscription_ended.end_at.ToDatetime(tzinfo=UTC) == MAY
