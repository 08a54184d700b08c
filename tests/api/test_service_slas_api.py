"""Service SLAs against a real server, on SQLite and PostgreSQL: a service SLA with a basic and a
premium tier signed, two customers subscribed, and the refusals of the subscription calls as
clients see them (status codes and the fields named)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build
from tests import service_sla_requests as svc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2025, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 1, tzinfo=UTC)
MARCH = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def subscribed(stub: Stub) -> Stub:
    """The service SLA signed, globex on basic and initech on premium from January."""
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    stub.SubscribeCustomer(svc.subscribe("globex", "basic", START), timeout=TIMEOUT)
    stub.SubscribeCustomer(
        svc.subscribe("initech", "premium", START, amount="2000.00"), timeout=TIMEOUT
    )
    return stub


def _refusal(call: Callable[[], Any]) -> tuple[grpc.StatusCode, list[str]]:
    """The status code of a refused call and the fields its BadRequest names."""
    with pytest.raises(grpc.RpcError) as refused:
        call()
    status = rpc_status.from_call(refused.value)
    fields: list[str] = []
    if status is not None and status.details:
        bad_request = error_details_pb2.BadRequest()
        status.details[0].Unpack(bad_request)
        fields = [v.field for v in bad_request.field_violations]
    return refused.value.code(), fields


def test_each_subscriber_is_read_back_on_its_own_tier_and_fee(subscribed: Stub) -> None:
    globex = subscribed.GetSubscription(svc.get("globex"), timeout=TIMEOUT).subscription
    initech = subscribed.GetSubscription(svc.get("initech"), timeout=TIMEOUT).subscription

    assert (globex.tier_id, globex.fee.amount.amount) == ("basic", "1000.00")
    assert (initech.tier_id, initech.fee.amount.amount) == ("premium", "2000.00")
    assert globex.status == initech.status == svc.ACTIVE


def test_the_service_sla_shows_its_two_tiers(subscribed: Stub) -> None:
    request = pb.GetAgreementRequest(agreement_id=svc.SERVICE)

    terms = subscribed.GetAgreement(request, timeout=TIMEOUT).agreement.terms

    assert [(t.tier_id, t.objectives[0].target_percent) for t in terms.tiers] == [
        ("basic", "99.0"),
        ("premium", "99.9"),
    ]
    assert not terms.customer.party_id


def test_an_unknown_tier_is_invalid_argument_naming_tier_id(subscribed: Stub) -> None:
    request = svc.subscribe("hooli", "gold", START)

    refused = _refusal(lambda: subscribed.SubscribeCustomer(request, timeout=TIMEOUT))

    assert refused == (grpc.StatusCode.INVALID_ARGUMENT, ["tier_id"])


def test_a_second_subscription_of_a_customer_is_already_exists(subscribed: Stub) -> None:
    request = svc.subscribe("globex", "premium", MARCH)

    code, _ = _refusal(lambda: subscribed.SubscribeCustomer(request, timeout=TIMEOUT))

    assert code is grpc.StatusCode.ALREADY_EXISTS


def test_subscribing_to_a_customer_agreement_is_failed_precondition(stub: Stub) -> None:
    stub.SignAgreement(build.sign_request("sla-1", START, START), timeout=TIMEOUT)
    request = svc.subscribe("globex", "basic", START, agreement_id="sla-1")

    code, _ = _refusal(lambda: stub.SubscribeCustomer(request, timeout=TIMEOUT))

    assert code is grpc.StatusCode.FAILED_PRECONDITION


def test_an_end_before_the_start_is_invalid_argument_naming_end(subscribed: Stub) -> None:
    request = svc.subscribe("hooli", "basic", MARCH, end=FEBRUARY)

    refused = _refusal(lambda: subscribed.SubscribeCustomer(request, timeout=TIMEOUT))

    assert refused == (grpc.StatusCode.INVALID_ARGUMENT, ["end"])


def test_an_upgrade_then_an_end_are_read_back_at_their_instants(subscribed: Stub) -> None:
    subscribed.ChangeSubscriptionTier(
        svc.change_tier("globex", "premium", FEBRUARY), timeout=TIMEOUT
    )
    ended = subscribed.EndSubscription(svc.end("globex", MARCH), timeout=TIMEOUT)

    in_january = subscribed.GetSubscription(svc.get("globex", as_of=START), timeout=TIMEOUT)
    in_february = subscribed.GetSubscription(svc.get("globex", as_of=FEBRUARY), timeout=TIMEOUT)

    assert ended.subscription.status == svc.ENDED
    assert in_january.subscription.tier_id == "basic"
    assert in_february.subscription.tier_id == "premium"
    assert in_february.subscription.version == 3
