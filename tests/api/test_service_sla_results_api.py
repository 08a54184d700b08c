"""A service SLA against a real server, on SQLite and PostgreSQL: two tiers, two subscribers,
January's readings recorded once for the service; compliance per tier and the subscription
listings.

January's readings attain 98.5% (10 readings of 197 good of 200): below basic's target (99.0)
and premium's (99.9), each tier judging the same readings against its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build
from tests import service_sla_requests as svc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2025, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 1, tzinfo=UTC)


@pytest.fixture
def closed(stub: Stub) -> tuple[Stub, int]:
    """The service SLA and its two subscribers, January measured once and closed; the stub and
    the log position of the last event appended."""
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    stub.SubscribeCustomer(svc.subscribe("globex", "basic", START, end=FEBRUARY), timeout=TIMEOUT)
    stub.SubscribeCustomer(
        svc.subscribe("initech", "premium", START, amount="2000.00", end=FEBRUARY),
        timeout=TIMEOUT,
    )
    readings = [
        build.reading("availability", START + timedelta(days=day), 197, 200) for day in range(10)
    ]
    recorded = stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=readings),
        timeout=TIMEOUT,
    )
    close = pb.ClosePeriodRequest(agreement_id=svc.SERVICE, until=build.timestamp(FEBRUARY))
    closed = stub.ClosePeriod(close, timeout=TIMEOUT)
    return stub, max(recorded.log_position, closed.log_position)


def _report(
    stub: Stub, as_of: datetime, *, tier_id: str = "", customer_id: str = ""
) -> pb.GetComplianceResponse:
    request = pb.GetComplianceRequest(
        agreement_id=svc.SERVICE,
        as_of=build.timestamp(as_of),
        tier_id=tier_id,
        customer_id=customer_id,
    )
    response: pb.GetComplianceResponse = stub.GetCompliance(request, timeout=TIMEOUT)
    return response


def test_each_tier_judges_the_same_readings_against_its_own_target(
    closed: tuple[Stub, int],
) -> None:
    stub, _ = closed
    in_january = START + timedelta(days=20)

    basic = _report(stub, in_january, tier_id="basic").report.objectives[0].tracks[0]
    premium = _report(stub, in_january, tier_id="premium").report.objectives[0].tracks[0]

    assert (basic.attained, basic.target) == ("98.500000", "99.0")
    assert (premium.attained, premium.target) == ("98.500000", "99.9")


def test_the_service_lists_its_subscribers_in_customer_order(closed: tuple[Stub, int]) -> None:
    stub, position = closed
    request = pb.ListSubscriptionsRequest(agreement_id=svc.SERVICE, min_log_position=position)

    listed = stub.ListSubscriptions(request, timeout=TIMEOUT)

    assert [(s.customer.party_id, s.tier_id) for s in listed.subscriptions] == [
        ("globex", "basic"),
        ("initech", "premium"),
    ]
    assert not listed.next_page_token


def test_the_subscribers_of_one_tier_are_listed_page_by_page(closed: tuple[Stub, int]) -> None:
    stub, position = closed
    stub.SubscribeCustomer(svc.subscribe("hooli", "premium", START), timeout=TIMEOUT)
    request = pb.ListSubscriptionsRequest(
        agreement_id=svc.SERVICE, tier_id="premium", page_size=1, min_log_position=position + 1
    )

    first = stub.ListSubscriptions(request, timeout=TIMEOUT)
    request.page_token = first.next_page_token
    second = stub.ListSubscriptions(request, timeout=TIMEOUT)

    assert [s.customer.party_id for s in first.subscriptions] == ["hooli"]
    assert [s.customer.party_id for s in second.subscriptions] == ["initech"]
    assert not second.next_page_token


def test_a_customer_lists_its_subscriptions_across_services(closed: tuple[Stub, int]) -> None:
    stub, _ = closed
    stub.SignAgreement(svc.sign_service(START, START, agreement_id="backup-sla"), timeout=TIMEOUT)
    subscribed = stub.SubscribeCustomer(
        svc.subscribe("globex", "premium", START, agreement_id="backup-sla"), timeout=TIMEOUT
    )
    request = pb.ListCustomerSubscriptionsRequest(
        customer_id="globex", min_log_position=subscribed.log_position
    )

    listed = stub.ListCustomerSubscriptions(request, timeout=TIMEOUT).subscriptions

    assert [(s.agreement_id, s.tier_id, s.status) for s in listed] == [
        ("backup-sla", "premium", svc.ACTIVE),
        (svc.SERVICE, "basic", svc.ENDED),
    ]
