"""A service SLA's late exclusion against a real server: each subscriber acknowledges it for
itself with its own customer token, sees its own standing, and learns nothing of the others'.

The service (tiers basic and premium, from 2025-01-01) waits for acknowledgement of every
exclusion recorded after its end (acknowledgement_after_days 0); globex and initech subscribe to
basic; January is closed for both, then a service-wide exclusion of 2025-01-10 is recorded.
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
from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb
from service.generated.sla.ledger.v1 import exclusion_rules_pb2, ledger_service_pb2_grpc, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2025, 1, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "globex": ("customer", ["globex"]),
    "initech": ("customer", ["initech"]),
}
AWAITING = exclusion_rules_pb2.EXCLUSION_STANDING_AWAITING_ACKNOWLEDGEMENT
ACKNOWLEDGED = exclusion_rules_pb2.EXCLUSION_STANDING_ACKNOWLEDGED


def _auth(name: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {name}-token"),)


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Stub:
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
    signing = svc.sign_service(START, START)
    signing.terms.exclusion_rules.acknowledgement_after_days = 0
    stub.SignAgreement(signing, timeout=TIMEOUT, metadata=admin)
    for customer in ("globex", "initech"):
        stub.SubscribeCustomer(
            svc.subscribe(customer, "basic", START), timeout=TIMEOUT, metadata=admin
        )
    stub.ClosePeriod(
        pb.ClosePeriodRequest(
            agreement_id=svc.SERVICE, until=build.timestamp(datetime(2025, 2, 1, tzinfo=UTC))
        ),
        timeout=TIMEOUT,
        metadata=admin,
    )
    exclusion = terms_pb2.Exclusion(
        exclusion_id="network",
        start=build.timestamp(START + timedelta(days=9)),
        end=build.timestamp(START + timedelta(days=10)),
        kind=terms_pb2.EXCLUSION_KIND_OTHER,
        reason="upstream network",
    )
    stub.RecordExclusion(
        pb.RecordExclusionRequest(agreement_id=svc.SERVICE, exclusion=exclusion),
        timeout=TIMEOUT,
        metadata=admin,
    )
    return stub


def _acknowledge(stub: Stub, who: str, customer_id: str) -> Any:
    request = ack_pb.AcknowledgeExclusionRequest(
        agreement_id=svc.SERVICE, exclusion_id="network", customer_id=customer_id
    )
    return stub.AcknowledgeExclusion(request, timeout=TIMEOUT, metadata=_auth(who))


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def _listed(stub: Stub, who: str) -> Any:
    request = pb.GetAgreementRequest(agreement_id=svc.SERVICE)
    (listed,) = stub.GetAgreement(request, timeout=TIMEOUT, metadata=_auth(who)).exclusions
    return listed


def test_a_subscriber_acknowledges_for_itself_and_sees_it_acknowledged(stub: Stub) -> None:
    reply = _acknowledge(stub, "globex", "globex")

    assert reply.acknowledged
    listed = _listed(stub, "globex")
    assert (listed.standing, list(listed.acknowledged_customer_ids)) == (ACKNOWLEDGED, ["globex"])


def test_another_subscriber_still_sees_it_awaiting_and_not_who_acknowledged(stub: Stub) -> None:
    _acknowledge(stub, "globex", "globex")

    listed = _listed(stub, "initech")

    assert (listed.standing, list(listed.acknowledged_customer_ids)) == (AWAITING, [])


def test_a_subscriber_cannot_acknowledge_for_another(stub: Stub) -> None:
    assert _code(lambda: _acknowledge(stub, "initech", "globex")) is (
        grpc.StatusCode.PERMISSION_DENIED
    )


def test_a_service_wide_acknowledgement_must_name_the_subscriber(stub: Stub) -> None:
    assert _code(lambda: _acknowledge(stub, "admin", "")) is grpc.StatusCode.INVALID_ARGUMENT


def test_the_service_as_a_whole_shows_who_acknowledged(stub: Stub) -> None:
    _acknowledge(stub, "initech", "initech")

    listed = _listed(stub, "admin")

    assert (listed.standing, list(listed.acknowledged_customer_ids)) == (AWAITING, ["initech"])
