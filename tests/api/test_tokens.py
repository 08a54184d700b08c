"""Bearer tokens: roles decide the methods, customer scopes decide the agreements."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from service.auth import token_digest
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "writer": ("writer", []),
    "auditor": ("auditor", []),
    "finance": ("finance", []),
    "globex-writer": ("writer", ["globex"]),
    "initech-auditor": ("auditor", ["initech"]),
}


@pytest.fixture
def server(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    monkeypatch.setenv("SLA_LEDGER_HEARTBEAT_SECONDS", "0.2")
    entries = [
        {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
        | ({"customers": customers} if customers else {})
        for name, (role, customers) in TOKENS.items()
    ]
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(entries))
    return start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(path))
    )


def _as(name: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {name}-token"),)


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def _sign(stub: Stub, agreement_id: str, customer: str = "globex", who: str = "admin") -> Any:
    request = build.sign_request(agreement_id, START, START)
    request.terms.customer.CopyFrom(terms_pb2.Party(party_id=customer))
    return stub.SignAgreement(request, timeout=TIMEOUT, metadata=_as(who))


def test_a_call_without_a_valid_token_is_unauthenticated_and_health_stays_open(server: Any) -> None:
    stub = Stub(server.channel)
    request = pb.GetLedgerDigestRequest()
    wrong = (("authorization", "Bearer nope"),)

    assert (
        _code(lambda: stub.GetLedgerDigest(request, timeout=TIMEOUT))
        is grpc.StatusCode.UNAUTHENTICATED
    )
    assert (
        _code(lambda: stub.GetLedgerDigest(request, timeout=TIMEOUT, metadata=wrong))
        is grpc.StatusCode.UNAUTHENTICATED
    )
    health = health_pb2_grpc.HealthStub(server.channel)
    assert (
        health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT).status
        == health_pb2.HealthCheckResponse.SERVING
    )


def test_each_role_calls_its_own_methods_only(server: Any) -> None:
    stub = Stub(server.channel)
    _sign(stub, "sla-1", who="writer")
    get = pb.GetAgreementRequest(agreement_id="sla-1")
    credits = pb.ListCreditsRequest()

    assert (
        _code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=_as("writer")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=_as("auditor")))
        is grpc.StatusCode.OK
    )
    assert _code(lambda: _sign(stub, "sla-2", who="auditor")) is grpc.StatusCode.PERMISSION_DENIED
    assert (
        _code(lambda: stub.ListCredits(credits, timeout=TIMEOUT, metadata=_as("finance")))
        is grpc.StatusCode.OK
    )
    assert (
        _code(lambda: stub.GetAgreement(get, timeout=TIMEOUT, metadata=_as("finance")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert _code(lambda: _sign(stub, "sla-3", who="admin")) is grpc.StatusCode.OK


def test_finance_subscribes_to_credit_events_only(server: Any) -> None:
    stub = Stub(server.channel)
    everything = pb.SubscribeEventsRequest()
    credits = pb.SubscribeEventsRequest(event_types=["credit_issued", "credit_adjusted"])

    refused = stub.SubscribeEvents(everything, timeout=TIMEOUT, metadata=_as("finance"))
    assert _code(lambda: next(refused)) is grpc.StatusCode.PERMISSION_DENIED
    allowed = stub.SubscribeEvents(credits, timeout=TIMEOUT, metadata=_as("finance"))
    first = next(allowed)  # no credit yet: a heartbeat
    allowed.cancel()
    assert (list(first.events), first.log_position) == ([], 0)


def test_a_token_scoped_to_a_customer_sees_and_changes_only_its_agreements(server: Any) -> None:
    stub = Stub(server.channel)
    _sign(stub, "globex-1", customer="globex")
    _sign(stub, "initech-1", customer="initech")
    amend = build.amend_request("initech-1", START, datetime(2026, 3, 1, tzinfo=UTC))
    amend.terms.customer.CopyFrom(terms_pb2.Party(party_id="initech"))
    read = pb.GetAgreementRequest(agreement_id="globex-1")

    assert (
        _code(lambda: _sign(stub, "globex-2", customer="globex", who="globex-writer"))
        is grpc.StatusCode.OK
    )
    assert (
        _code(lambda: _sign(stub, "initech-2", customer="initech", who="globex-writer"))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(lambda: stub.AmendAgreement(amend, timeout=TIMEOUT, metadata=_as("globex-writer")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(lambda: stub.GetAgreement(read, timeout=TIMEOUT, metadata=_as("initech-auditor")))
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(
            lambda: stub.ListEvents(
                pb.ListEventsRequest(), timeout=TIMEOUT, metadata=_as("initech-auditor")
            )
        )
        is grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(
            lambda: stub.VerifyLedger(
                pb.VerifyLedgerRequest(), timeout=TIMEOUT, metadata=_as("initech-auditor")
            )
        )
        is grpc.StatusCode.PERMISSION_DENIED
    )


def test_the_audit_trail_names_the_token_that_acted(server: Any) -> None:
    stub = Stub(server.channel)
    _sign(stub, "sla-1", who="writer")

    events = stub.ListEvents(
        pb.ListEventsRequest(), timeout=TIMEOUT, metadata=_as("auditor")
    ).events

    assert [e.actor for e in events] == ["token writer"]


def test_a_token_file_with_an_empty_customers_string_stops_the_server_from_starting(
    run_command: Callable[[list[str]], Any], sqlite_database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.json"
    entry = {"name": "portal", "sha256": token_digest("t").hex(), "role": "admin", "customers": ""}
    path.write_text(json.dumps([entry]))
    serve = [sys.executable, "-m", "service.cli", "serve", "--listen", "127.0.0.1:0"]

    ended = run_command([*serve, "--database-url", sqlite_database_url, "--tokens", str(path)])

    assert ended.returncode != 0
    assert "token 0: customers" in ended.stderr


def test_finance_may_name_the_credit_events_by_their_json_names(server: Any) -> None:
    stub = Stub(server.channel)
    credits = pb.SubscribeEventsRequest(event_types=["creditIssued", "bonusAdjusted"])

    allowed = stub.SubscribeEvents(credits, timeout=TIMEOUT, metadata=_as("finance"))
    first = next(allowed)  # no credit yet: a heartbeat
    allowed.cancel()

    assert (list(first.events), first.log_position) == ([], 0)
