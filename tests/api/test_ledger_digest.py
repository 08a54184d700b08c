"""GetLedgerDigest and VerifyLedger against a real server."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
LOG_DEADLINE_SECONDS = 30
SIGNED = datetime(2026, 1, 1, tzinfo=UTC)


def _sign(stub: Stub, agreement_id: str) -> None:
    stub.SignAgreement(build.sign_request(agreement_id, SIGNED, SIGNED), timeout=TIMEOUT)


def test_the_digest_names_the_last_position_and_a_sha256(stub: Stub) -> None:
    _sign(stub, "sla-1")
    _sign(stub, "sla-2")

    digest = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest

    assert digest.log_position == 2
    assert len(digest.sha256_hex) == 64


def test_the_digest_of_an_empty_ledger_has_no_record_time(stub: Stub) -> None:
    reply = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)

    assert (reply.digest.log_position, reply.HasField("recorded_at")) == (0, False)


def test_the_digest_carries_the_record_time_of_its_last_event(stub: Stub) -> None:
    _sign(stub, "sla-1")
    _sign(stub, "sla-2")

    reply = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)

    events = stub.ListEvents(pb.ListEventsRequest(), timeout=TIMEOUT).events
    assert reply.recorded_at == events[-1].recorded_at


def test_a_read_known_at_the_digest_record_time_sees_its_last_event(stub: Stub) -> None:
    _sign(stub, "sla-1")
    recorded_at = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).recorded_at

    reply = stub.GetAgreement(
        pb.GetAgreementRequest(agreement_id="sla-1", known_at=recorded_at), timeout=TIMEOUT
    )

    assert reply.agreement.agreement_id == "sla-1"


def test_a_kept_digest_verifies_after_more_events(stub: Stub) -> None:
    _sign(stub, "sla-1")
    kept = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest
    _sign(stub, "sla-2")

    result = stub.VerifyLedger(pb.VerifyLedgerRequest(expected_digest=kept), timeout=TIMEOUT)

    assert (result.ok, result.digest.log_position) == (True, 2)


def test_a_digest_with_another_hash_fails_at_its_position(stub: Stub) -> None:
    _sign(stub, "sla-1")
    _sign(stub, "sla-2")
    forged = pb.LedgerDigest(log_position=1, sha256_hex="ab" * 32)

    result = stub.VerifyLedger(pb.VerifyLedgerRequest(expected_digest=forged), timeout=TIMEOUT)

    assert (result.ok, result.first_bad_position) == (False, 1)


def test_a_malformed_digest_is_invalid_argument(stub: Stub) -> None:
    bad = pb.LedgerDigest(log_position=1, sha256_hex="not hex")

    with pytest.raises(grpc.RpcError) as refused:
        stub.VerifyLedger(pb.VerifyLedgerRequest(expected_digest=bad), timeout=TIMEOUT)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_the_server_logs_the_ledger_digest_at_its_interval(
    sqlite_database_url: str, start_server: Callable[..., Any], sign_request: Callable[..., Any]
) -> None:
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--digest-log-interval", "0.2")
    )
    stub = Stub(server.channel)
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    digest = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest

    logged = _first_digest_line_at(server, 1)

    assert (logged["logger"], logged["hash"]) == ("sla_ledger.chain", digest.sha256_hex)


def _first_digest_line_at(server: Any, position: int) -> dict[str, Any]:
    deadline = time.monotonic() + LOG_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for entry in server.log_entries():
            if entry.get("message") == "ledger digest" and entry.get("position") == position:
                return dict(entry)
        time.sleep(0.05)
    pytest.fail(f"no ledger digest line at position {position}; stderr:\n{server.stderr}")
