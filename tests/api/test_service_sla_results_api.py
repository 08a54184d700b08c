"""A service SLA's results against a real server, on SQLite and PostgreSQL: two tiers, two
subscribers, January's readings recorded once for the service, January closed; each subscriber's
credit in the credit ledger under its customer id, compliance per tier and per subscriber, and
the subscription listings.

January's readings attain 98.5% (10 readings of 197 good of 200). Basic (target 99.0, below
99.0 -> 10%) is breached and globex, on EUR 1000.00, is owed 100.00; premium (target 99.9, below
99.9 -> 25%, below 99.0 -> 50%) is breached and initech, on EUR 2000.00, is owed 50% = 1000.00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

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


def test_each_subscriber_is_credited_under_its_customer_id(closed: tuple[Stub, int]) -> None:
    stub, position = closed
    request = pb.ListCreditsRequest(agreement_id=svc.SERVICE, min_log_position=position)

    credits = stub.ListCredits(request, timeout=TIMEOUT).credits

    assert sorted((c.customer_id, c.amount.amount, c.period_label) for c in credits) == [
        ("globex", "100.00", "2025-01"),
        ("initech", "1000.00", "2025-01"),
    ]


def test_a_subscriber_lists_only_its_own_credit_by_customer_id(closed: tuple[Stub, int]) -> None:
    stub, position = closed
    request = pb.ListCreditsRequest(customer_id="initech", min_log_position=position)

    credits = stub.ListCredits(request, timeout=TIMEOUT).credits

    assert [(c.agreement_id, c.amount.amount) for c in credits] == [(svc.SERVICE, "1000.00")]


def test_each_subscriber_has_its_own_breach(closed: tuple[Stub, int]) -> None:
    stub, position = closed
    request = pb.ListBreachesRequest(agreement_id=svc.SERVICE, min_log_position=position)

    breaches = stub.ListBreaches(request, timeout=TIMEOUT).breaches

    assert sorted((b.customer_id, b.target) for b in breaches) == [
        ("globex", "99.0"),
        ("initech", "99.9"),
    ]


def test_the_closes_carry_the_subscriber_and_its_tier(closed: tuple[Stub, int]) -> None:
    stub, _ = closed
    request = pb.ListEventsRequest(agreement_id=svc.SERVICE, page_size=1000)

    events = stub.ListEvents(request, timeout=TIMEOUT).events
    closes = [e.period_closed for e in events if e.WhichOneof("payload") == "period_closed"]

    assert sorted((c.customer_id, c.tier_id, c.status) for c in closes) == [
        ("globex", "basic", "breached"),
        ("initech", "premium", "breached"),
    ]


def test_each_tier_judges_the_same_readings_against_its_own_target(
    closed: tuple[Stub, int],
) -> None:
    stub, _ = closed
    in_january = START + timedelta(days=20)

    basic = _report(stub, in_january, tier_id="basic").report.objectives[0].tracks[0]
    premium = _report(stub, in_january, tier_id="premium").report.objectives[0].tracks[0]

    assert (basic.attained, basic.target) == ("98.500000", "99.0")
    assert (premium.attained, premium.target) == ("98.500000", "99.9")


def test_a_subscriber_report_holds_its_own_credit(closed: tuple[Stub, int]) -> None:
    stub, _ = closed

    report = _report(stub, FEBRUARY + timedelta(days=1), customer_id="globex").report

    assert (report.customer_id, report.tier_id) == ("globex", "basic")
    assert [(c.period_label, c.amount.amount) for c in report.credits] == [("2025-01", "100.00")]


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


def test_a_subscriber_period_recalculated_with_late_readings_adjusts_its_credit_alone(
    closed: tuple[Stub, int],
) -> None:
    stub, _ = closed
    late = build.reading("availability", START + timedelta(days=15), 2000, 2000)  # 99.25% now
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=[late]),
        timeout=TIMEOUT,
    )
    request = pb.RecalculatePeriodRequest(
        agreement_id=svc.SERVICE,
        objective_id="availability",
        period_label="2025-01",
        customer_id="globex",
    )

    recalculated = stub.RecalculatePeriod(request, timeout=TIMEOUT)

    adjusted = [e for e in recalculated.events if e.WhichOneof("payload") == "credit_adjusted"]
    assert [(e.credit_adjusted.customer_id, e.credit_adjusted.delta.amount) for e in adjusted] == [
        ("globex", "-100.00")
    ]
