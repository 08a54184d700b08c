"""ListPeriodResults by customer across agreements, and customer tokens, against a real server;
GetCompliance's closed result for a service SLA's subscriber.

globex has its own agreement "sla-g" and subscribes to the service SLA "cloud-sla" on basic;
initech has "sla-i" and subscribes on premium. January 2025 is closed everywhere: the service's
ten readings of 197 good of 200 attain 1,970 / 2,000 = 98.5%, below basic's 99.0 (-> BREACHED)
and premium's 99.9 (-> BREACHED); the customer agreements' (Europe/Berlin, from 1 January 00:00
UTC) one reading of 60 good of 60 attains 100% of 99.9 (-> MET).
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
from service.generated.sla.ledger.v1 import compliance_pb2, ledger_service_pb2_grpc, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2025, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "globex-auditor": ("auditor", ["globex"]),
    "initech-auditor": ("auditor", ["initech"]),
}
BREACHED = compliance_pb2.COMPLIANCE_STATUS_BREACHED
MET = compliance_pb2.COMPLIANCE_STATUS_MET


def _auth(name: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {name}-token"),)


@pytest.fixture
def ledger(start_server: Callable[..., Any], database_url: str, tmp_path: Path) -> tuple[Stub, int]:
    """The server with TOKENS and January closed on the three agreements; the stub and the
    log position of the last close."""
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
        database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub, admin = Stub(server.channel), _auth("admin")
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT, metadata=admin)
    for customer, tier in (("globex", "basic"), ("initech", "premium")):
        stub.SubscribeCustomer(
            svc.subscribe(customer, tier, START), timeout=TIMEOUT, metadata=admin
        )
        request = build.sign_request(f"sla-{customer[0]}", START, START)
        request.terms.customer.CopyFrom(terms_pb2.Party(party_id=customer))
        stub.SignAgreement(request, timeout=TIMEOUT, metadata=admin)
        reading = build.reading("availability", START + timedelta(days=3), 60, 60)
        stub.RecordMeasurements(
            pb.RecordMeasurementsRequest(agreement_id=f"sla-{customer[0]}", measurements=[reading]),
            timeout=TIMEOUT,
            metadata=admin,
        )
    readings = [
        build.reading("availability", START + timedelta(days=day), 197, 200) for day in range(10)
    ]
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=readings),
        timeout=TIMEOUT,
        metadata=admin,
    )
    position = 0
    for agreement_id in (svc.SERVICE, "sla-g", "sla-i"):
        close = pb.ClosePeriodRequest(agreement_id=agreement_id, until=build.timestamp(FEBRUARY))
        position = stub.ClosePeriod(close, timeout=TIMEOUT, metadata=admin).log_position
    return stub, position


def _list(stub: Stub, who: str, **fields: Any) -> history_pb.ListPeriodResultsResponse:
    response: history_pb.ListPeriodResultsResponse = stub.ListPeriodResults(
        history_pb.ListPeriodResultsRequest(**fields), timeout=TIMEOUT, metadata=_auth(who)
    )
    return response


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_a_customers_periods_span_its_agreements_and_its_subscriptions(
    ledger: tuple[Stub, int],
) -> None:
    stub, position = ledger

    listed = _list(stub, "globex-auditor", customer_id="globex", min_log_position=position)

    # Both start at 1 January 00:00 UTC: then by agreement id ("cloud-sla" < "sla-g").
    assert [(p.agreement_id, p.customer_id, p.tier_id, p.status) for p in listed.periods] == [
        ("cloud-sla", "globex", "basic", BREACHED),
        ("sla-g", "globex", "", MET),
    ]


def test_a_customer_token_naming_another_customer_is_denied(ledger: tuple[Stub, int]) -> None:
    stub, _ = ledger

    assert _code(lambda: _list(stub, "globex-auditor", customer_id="initech")) == (
        grpc.StatusCode.PERMISSION_DENIED
    )


def test_a_customer_token_naming_no_customer_is_denied(ledger: tuple[Stub, int]) -> None:
    stub, _ = ledger

    assert _code(lambda: _list(stub, "globex-auditor", agreement_id="sla-g")) == (
        grpc.StatusCode.PERMISSION_DENIED
    )


def test_another_customers_agreement_is_not_found_for_a_customer_token(
    ledger: tuple[Stub, int],
) -> None:
    stub, _ = ledger

    found = _code(lambda: _list(stub, "globex-auditor", agreement_id="sla-i", customer_id="globex"))

    assert found == grpc.StatusCode.NOT_FOUND


def test_a_subscriber_lists_only_its_own_periods_of_the_service(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    own = _list(
        stub,
        "initech-auditor",
        agreement_id=svc.SERVICE,
        customer_id="initech",
        min_log_position=position,
    )

    assert [(p.customer_id, p.tier_id) for p in own.periods] == [("initech", "premium")]


def test_a_subscribers_compliance_inside_a_closed_month_carries_its_closed_result(
    ledger: tuple[Stub, int],
) -> None:
    stub, _ = ledger
    request = pb.GetComplianceRequest(
        agreement_id=svc.SERVICE,
        customer_id="initech",
        as_of=build.timestamp(START + timedelta(days=5)),
    )

    report = stub.GetCompliance(request, timeout=TIMEOUT, metadata=_auth("initech-auditor")).report

    # 1,970 / 2,000 = 98.5% < premium's 99.9 -> breached, judged by premium.
    closed = report.objectives[0].closed
    assert (closed.status, closed.tracks[0].attained, closed.tracks[0].target) == (
        BREACHED,
        "98.500000",
        "99.9",
    )


def test_a_tiers_report_has_no_closed_result(ledger: tuple[Stub, int]) -> None:
    stub, _ = ledger
    request = pb.GetComplianceRequest(
        agreement_id=svc.SERVICE,
        tier_id="premium",
        as_of=build.timestamp(START + timedelta(days=5)),
    )

    report = stub.GetCompliance(request, timeout=TIMEOUT, metadata=_auth("admin")).report

    assert not report.objectives[0].HasField("closed")
