"""Disputes on a service SLA over gRPC: a subscriber's customer token disputes its own periods
and exclusions only; an upheld dispute of a service-wide exclusion revokes it for that
subscriber alone; each subscriber's report shows its own open disputes.

initech subscribes to premium (99.9%: 25% below 99.9, 50% below 99.0), globex to basic."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.token_server import TIMEOUT, Stub, auth, code

START = datetime(2026, 1, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "provider": ("provider", []),
    "initech-customer": ("customer", ["initech"]),
    "hooli-customer": ("customer", ["hooli"]),
}


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Stub:
    """The service SLA, initech and globex subscribed, a service-wide maintenance exclusion of
    1 January 02:00-04:00 UTC that takes out the only bad readings, January closed for both."""
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
    admin = auth("admin")
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT, metadata=admin)
    for customer, tier in (("initech", "premium"), ("globex", "basic")):
        stub.SubscribeCustomer(
            svc.subscribe(customer, tier, START), timeout=TIMEOUT, metadata=admin
        )
    exclusion = terms_pb2.Exclusion(
        exclusion_id="maintenance",
        start=build.timestamp(START + timedelta(hours=2)),
        end=build.timestamp(START + timedelta(hours=4)),
        kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
        reason="upgrade",
    )
    stub.RecordExclusion(
        pb.RecordExclusionRequest(agreement_id=svc.SERVICE, exclusion=exclusion),
        timeout=TIMEOUT,
        metadata=admin,
    )
    # Hours 0-5 of 1 January: 60/60 good, but hours 2 and 3 (in the exclusion) 0/60.
    readings = [
        build.reading("availability", START + timedelta(hours=h), 0 if h in (2, 3) else 60, 60)
        for h in range(6)
    ]
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=readings),
        timeout=TIMEOUT,
        metadata=admin,
    )
    stub.ClosePeriod(
        pb.ClosePeriodRequest(
            agreement_id=svc.SERVICE, until=build.timestamp(datetime(2026, 2, 1, tzinfo=UTC))
        ),
        timeout=TIMEOUT,
        metadata=admin,
    )
    return stub


def _opening(customer_id: str, **subject: str) -> dpb.OpenDisputeRequest:
    fields = subject or {"objective_id": "availability", "period_label": "2026-01"}
    kind = (
        dpb.DISPUTE_SUBJECT_KIND_EXCLUSION
        if "exclusion_id" in fields
        else dpb.DISPUTE_SUBJECT_KIND_PERIOD_RESULT
    )
    return dpb.OpenDisputeRequest(
        agreement_id=svc.SERVICE,
        dispute_id=f"{customer_id}-1",
        subject=dpb.DisputeSubject(kind=kind, customer_id=customer_id, **fields),
        reason="we saw it down",
    )


def test_a_subscriber_disputes_its_own_period_and_not_another_subscribers(stub: Stub) -> None:
    initech = auth("initech-customer")

    own = code(lambda: stub.OpenDispute(_opening("initech"), timeout=TIMEOUT, metadata=initech))
    other = code(lambda: stub.OpenDispute(_opening("globex"), timeout=TIMEOUT, metadata=initech))

    assert (own, other) == (grpc.StatusCode.OK, grpc.StatusCode.PERMISSION_DENIED)


def test_a_customer_that_does_not_subscribe_finds_no_service_to_dispute(stub: Stub) -> None:
    status = code(
        lambda: stub.OpenDispute(
            _opening("hooli"), timeout=TIMEOUT, metadata=auth("hooli-customer")
        )
    )

    assert status is grpc.StatusCode.NOT_FOUND


def test_an_upheld_dispute_of_a_service_wide_exclusion_revokes_it_for_that_subscriber_only(
    stub: Stub,
) -> None:
    """initech's January with the exclusion: hours 0, 1, 4, 5 count, 240/240 = 100%, met.
    Revoked for initech: 6 readings, 240 good of 360 = 66.67% < 99.0 -> premium's 50% of
    EUR 1,000.00 = EUR 500.00 (January is a whole month of the subscription), +EUR 500.00 on
    initech's period stream; globex's January keeps the exclusion."""
    opening = _opening("initech", exclusion_id="maintenance")
    stub.OpenDispute(opening, timeout=TIMEOUT, metadata=auth("initech-customer"))
    resolving = dpb.ResolveDisputeRequest(
        agreement_id=svc.SERVICE,
        dispute_id="initech-1",
        outcome=dpb.DISPUTE_OUTCOME_UPHELD,
        reason="not announced",
    )

    reply = stub.ResolveDispute(resolving, timeout=TIMEOUT, metadata=auth("provider"))

    events = stub.ListEvents(
        pb.ListEventsRequest(agreement_id=svc.SERVICE, page_size=1000),
        timeout=TIMEOUT,
        metadata=auth("admin"),
    ).events
    appended = [e for e in events if reply.first_position < e.position <= reply.log_position]
    revoked = appended[0]
    assert revoked.WhichOneof("payload") == "exclusion_revoked"
    credits = [e for e in appended if e.WhichOneof("payload") == "credit_adjusted"]
    assert [(e.stream_id.split("/")[1], e.credit_adjusted.delta.amount) for e in credits] == [
        ("customer:initech", "500.00")
    ]


def test_each_subscribers_report_shows_only_its_own_open_disputes(stub: Stub) -> None:
    opened = stub.OpenDispute(
        _opening("initech"), timeout=TIMEOUT, metadata=auth("initech-customer")
    )
    january = build.timestamp(datetime(2026, 1, 15, tzinfo=UTC))

    def disputes(customer_id: str) -> list[str]:
        asked = pb.GetComplianceRequest(
            agreement_id=svc.SERVICE,
            customer_id=customer_id,
            as_of=january,
            min_log_position=opened.log_position,
        )
        report = stub.GetCompliance(asked, timeout=TIMEOUT, metadata=auth("admin")).report
        return [d.dispute_id for d in report.open_disputes]

    assert (disputes("initech"), disputes("globex")) == (["initech-1"], [])
