"""Customer tokens on a service SLA against a real server: a subscriber's token reads the
service, its tier's compliance and its own subscription, results and exclusions, and changes
nothing; a token of a customer that does not subscribe finds nothing.

initech subscribes to premium and globex to basic; hooli does not subscribe.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build
from tests import service_sla_requests as svc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "initech-auditor": ("auditor", ["initech"]),
    "initech-writer": ("writer", ["initech"]),
    "hooli-auditor": ("auditor", ["hooli"]),
    "hooli-writer": ("writer", ["hooli"]),
}
OK = grpc.StatusCode.OK
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def _auth(name: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {name}-token"),)


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Stub:
    """A server with TOKENS; the service SLA, its two subscribers, a service-wide and two
    customer exclusions, and readings of the service, of initech and of globex."""
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            [
                {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
                | ({"customers": customers} if customers else {})
                for name, (role, customers) in TOKENS.items()
            ]
        )
    )
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub = Stub(server.channel)
    admin = _auth("admin")
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT, metadata=admin)
    for customer, tier in (("initech", "premium"), ("globex", "basic")):
        stub.SubscribeCustomer(
            svc.subscribe(customer, tier, START), timeout=TIMEOUT, metadata=admin
        )
    for exclusion_id, customer in (
        ("maintenance", ""),
        ("initech-firewall", "initech"),
        ("globex-firewall", "globex"),
    ):
        exclusion = terms_pb2.Exclusion(
            exclusion_id=exclusion_id,
            start=build.timestamp(START + timedelta(days=2)),
            end=build.timestamp(START + timedelta(days=3)),
            kind=terms_pb2.EXCLUSION_KIND_CUSTOMER_CAUSED
            if customer
            else terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
            reason="why",
            customer_id=customer,
        )
        stub.RecordExclusion(
            pb.RecordExclusionRequest(agreement_id=svc.SERVICE, exclusion=exclusion),
            timeout=TIMEOUT,
            metadata=admin,
        )
    readings = [build.reading("availability", START + timedelta(hours=h)) for h in range(3)]
    readings[1].labels["customer"] = "initech"
    readings[2].labels["customer"] = "globex"
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=readings),
        timeout=TIMEOUT,
        metadata=admin,
    )
    return stub


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return OK


def _events(stub: Stub, who: str) -> list[Any]:
    request = pb.ListEventsRequest(agreement_id=svc.SERVICE, page_size=1000)
    return list(stub.ListEvents(request, timeout=TIMEOUT, metadata=_auth(who)).events)


def test_a_subscriber_reads_the_service_sla_and_a_non_subscriber_finds_none(stub: Stub) -> None:
    request = pb.GetAgreementRequest(agreement_id=svc.SERVICE)

    def get(who: str) -> grpc.StatusCode:
        return _code(lambda: stub.GetAgreement(request, timeout=TIMEOUT, metadata=_auth(who)))

    assert get("initech-auditor") is OK
    assert get("hooli-auditor") is NOT_FOUND


def test_a_subscriber_sees_the_service_wide_exclusion_and_its_own_only(stub: Stub) -> None:
    events = _events(stub, "initech-auditor")

    exclusions = [
        e.exclusion_recorded.exclusion.exclusion_id
        for e in events
        if e.WhichOneof("payload") == "exclusion_recorded"
    ]

    assert exclusions == ["maintenance", "initech-firewall"]


def test_a_subscriber_sees_its_own_subscription_events_only(stub: Stub) -> None:
    events = _events(stub, "initech-auditor")

    subscribed = [
        e.customer_subscribed.customer.party_id
        for e in events
        if e.WhichOneof("payload") == "customer_subscribed"
    ]

    assert subscribed == ["initech"]


def test_a_subscriber_sees_the_service_readings_and_its_own_not_another_customers(
    stub: Stub,
) -> None:
    events = _events(stub, "initech-auditor")

    labels = [
        dict(m.labels)
        for e in events
        if e.WhichOneof("payload") == "metric_measured"
        for m in e.metric_measured.measurements
    ]

    assert labels == [{}, {"customer": "initech"}]


def test_a_subscriber_reads_the_compliance_of_its_tier_and_its_own_only(stub: Stub) -> None:
    def report(tier_id: str = "", customer_id: str = "") -> grpc.StatusCode:
        request = pb.GetComplianceRequest(
            agreement_id=svc.SERVICE, tier_id=tier_id, customer_id=customer_id
        )
        return _code(
            lambda: stub.GetCompliance(request, timeout=TIMEOUT, metadata=_auth("initech-auditor"))
        )

    assert report(tier_id="premium") is OK
    assert report(customer_id="initech") is OK
    assert report(tier_id="basic") is DENIED
    assert report(customer_id="globex") is DENIED


def test_a_subscriber_charts_its_tier_and_itself_only(stub: Stub) -> None:
    def series(who: str, tier_id: str = "", customer_id: str = "") -> grpc.StatusCode:
        request = series_pb.GetComplianceSeriesRequest(
            agreement_id=svc.SERVICE,
            objective_id="availability",
            tier_id=tier_id,
            customer_id=customer_id,
            period_at=build.timestamp(START),
        )
        return _code(
            lambda: stub.GetComplianceSeries(request, timeout=TIMEOUT, metadata=_auth(who))
        )

    assert series("initech-auditor", tier_id="premium") is OK
    assert series("initech-auditor", customer_id="initech") is OK
    assert series("initech-auditor", tier_id="basic") is DENIED
    assert series("initech-auditor", customer_id="globex") is DENIED
    assert series("hooli-auditor", customer_id="hooli") is NOT_FOUND


def test_a_subscribers_series_counts_the_service_readings_and_its_own(stub: Stub) -> None:
    request = series_pb.GetComplianceSeriesRequest(
        agreement_id=svc.SERVICE,
        objective_id="availability",
        customer_id="initech",
        period_at=build.timestamp(START),
        as_of=build.timestamp(START + timedelta(days=1)),
    )

    reply = stub.GetComplianceSeries(request, timeout=TIMEOUT, metadata=_auth("initech-auditor"))

    # The first day's point: the service's reading at 00:00 and initech's at 01:00, not globex's.
    assert reply.tracks[0].points[0].readings == 2


def test_a_subscriber_reads_its_own_subscription_only(stub: Stub) -> None:
    def get(customer: str) -> grpc.StatusCode:
        request = svc.get(customer)
        return _code(
            lambda: stub.GetSubscription(
                request, timeout=TIMEOUT, metadata=_auth("initech-auditor")
            )
        )

    def listed(customer: str) -> grpc.StatusCode:
        request = pb.ListCustomerSubscriptionsRequest(customer_id=customer)
        return _code(
            lambda: stub.ListCustomerSubscriptions(
                request, timeout=TIMEOUT, metadata=_auth("initech-auditor")
            )
        )

    assert (get("initech"), get("globex")) == (OK, DENIED)
    assert (listed("initech"), listed("globex")) == (OK, DENIED)


def test_a_subscriber_lists_only_its_own_row_of_the_service(stub: Stub) -> None:
    head = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=_auth("admin")
    )
    request = pb.ListSubscriptionsRequest(
        agreement_id=svc.SERVICE, min_log_position=head.digest.log_position
    )

    listed = stub.ListSubscriptions(request, timeout=TIMEOUT, metadata=_auth("initech-auditor"))
    everyone = stub.ListSubscriptions(request, timeout=TIMEOUT, metadata=_auth("admin"))

    assert [s.customer.party_id for s in listed.subscriptions] == ["initech"]
    assert [s.customer.party_id for s in everyone.subscriptions] == ["globex", "initech"]


def test_a_subscriber_lists_its_own_credits_of_the_service_not_anothers(stub: Stub) -> None:
    def credits(customer: str) -> grpc.StatusCode:
        request = pb.ListCreditsRequest(agreement_id=svc.SERVICE, customer_id=customer)
        return _code(
            lambda: stub.ListCredits(request, timeout=TIMEOUT, metadata=_auth("initech-auditor"))
        )

    assert (credits("initech"), credits("globex")) == (OK, DENIED)


def test_a_subscriber_changes_nothing_and_a_non_subscriber_finds_nothing(stub: Stub) -> None:
    def calls(who: str) -> list[grpc.StatusCode]:
        metadata = _auth(who)
        return [
            _code(
                lambda: stub.ChangeSubscriptionTier(
                    svc.change_tier("initech", "basic", START + timedelta(days=40)),
                    timeout=TIMEOUT,
                    metadata=metadata,
                )
            ),
            _code(
                lambda: stub.SubscribeCustomer(
                    svc.subscribe("hooli", "basic", START), timeout=TIMEOUT, metadata=metadata
                )
            ),
            _code(
                lambda: stub.ClosePeriod(
                    pb.ClosePeriodRequest(agreement_id=svc.SERVICE),
                    timeout=TIMEOUT,
                    metadata=metadata,
                )
            ),
        ]

    assert calls("initech-writer") == [DENIED, DENIED, DENIED]
    assert calls("hooli-writer") == [NOT_FOUND, NOT_FOUND, NOT_FOUND]


def test_a_subscriber_cannot_follow_the_service_slas_stream(stub: Stub) -> None:
    request = pb.SubscribeEventsRequest(agreement_id=svc.SERVICE)

    def follow(who: str) -> grpc.StatusCode:
        return _code(
            lambda: next(stub.SubscribeEvents(request, timeout=TIMEOUT, metadata=_auth(who)))
        )

    assert follow("initech-auditor") is DENIED
    assert follow("hooli-auditor") is NOT_FOUND
