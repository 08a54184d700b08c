"""GetLedgerDigest and VerifyLedger against a real server."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
SIGNED = datetime(2026, 1, 1, tzinfo=UTC)


def _sign(stub: Stub, agreement_id: str) -> None:
    stub.SignAgreement(build.sign_request(agreement_id, SIGNED, SIGNED), timeout=TIMEOUT)


def test_the_digest_names_the_last_position_and_a_sha256(stub: Stub) -> None:
    _sign(stub, "sla-1")
    _sign(stub, "sla-2")

    digest = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest

    assert digest.log_position == 2
    assert len(digest.sha256_hex) == 64


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
