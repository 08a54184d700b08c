"""A real server's refusals carry machine-readable details: ErrorInfo (domain sla.ledger.v1, an
ErrorReason name) on each, ResourceInfo on NOT_FOUND, RetryInfo only where retrying helps."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build
from tests.api.server_process import ServerProcess
from tests.api.token_server import START, auth, sign_as, write_tokens
from tests.error_details import details_of, error_info, status_of_call

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    """One server with tokens for the module, sla-1 signed for globex."""
    folder = tmp_path_factory.mktemp("errors")
    tokens = write_tokens(folder / "tokens.json")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "service.cli", "serve", "--listen", "127.0.0.1:0"),
            *("--database-url", f"sqlite:///{folder / 'ledger.sqlite3'}"),
            *("--close-periods", "off", "--tokens", str(tokens)),
        ],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = ServerProcess(process)
    try:
        server.port = int(server.wait_for_log("listening", 30)["port"])
        server.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
        stub = Stub(server.channel)
        sign_as(stub, "sla-1")
        yield stub
        server.stop()
    finally:
        server.kill()


def _refused(call: Callable[[], Any]) -> tuple[grpc.StatusCode, status_pb2.Status]:
    with pytest.raises(grpc.RpcError) as refusal:
        call()
    return refusal.value.code(), status_of_call(refusal.value)


def test_an_unknown_agreement_is_not_found_naming_the_agreement(stub: Stub) -> None:
    code, status = _refused(
        lambda: stub.GetAgreement(
            pb.GetAgreementRequest(agreement_id="nobody-1"), timeout=TIMEOUT, metadata=auth("admin")
        )
    )

    resources = details_of(status, error_details_pb2.ResourceInfo)
    info = error_info(status)
    assert code is grpc.StatusCode.NOT_FOUND
    assert [(r.resource_type, r.resource_name) for r in resources] == [
        ("agreement", "agreements/nobody-1")
    ]
    assert (info.reason, dict(info.metadata)) == (
        "RESOURCE_NOT_FOUND",
        {"agreement_id": "nobody-1"},
    )


def test_an_unknown_case_is_not_found_naming_the_case_under_its_agreement(stub: Stub) -> None:
    request = pb.GetCaseRequest(agreement_id="sla-1", case_id="INC-404")

    code, status = _refused(lambda: stub.GetCase(request, timeout=TIMEOUT, metadata=auth("admin")))

    (resource,) = details_of(status, error_details_pb2.ResourceInfo)
    assert code is grpc.StatusCode.NOT_FOUND
    assert (resource.resource_type, resource.resource_name) == (
        "case",
        "agreements/sla-1/cases/INC-404",
    )


def test_a_stale_expected_version_is_aborted_without_retry_info(stub: Stub) -> None:
    request = build.amend_request("sla-1", START, START, expected_version=7)

    code, status = _refused(
        lambda: stub.AmendAgreement(request, timeout=TIMEOUT, metadata=auth("admin"))
    )

    assert code is grpc.StatusCode.ABORTED
    assert error_info(status).reason == "EXPECTED_VERSION_MISMATCH"
    assert details_of(status, error_details_pb2.RetryInfo) == []


def test_a_call_without_a_token_is_unauthenticated_with_its_reason(stub: Stub) -> None:
    code, status = _refused(
        lambda: stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)
    )

    assert (code, error_info(status).reason) == (grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN")


def test_a_role_that_may_not_call_the_method_is_permission_denied_with_its_reason(
    stub: Stub,
) -> None:
    request = build.terminate_request("sla-1", START)

    code, status = _refused(
        lambda: stub.TerminateAgreement(request, timeout=TIMEOUT, metadata=auth("auditor"))
    )

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "ROLE_FORBIDS_METHOD",
    )


def test_a_token_reaching_beyond_its_customers_is_permission_denied_outside_its_scope(
    stub: Stub,
) -> None:
    request = pb.ListCreditsRequest(customer_id="globex")

    code, status = _refused(
        lambda: stub.ListCredits(request, timeout=TIMEOUT, metadata=auth("initech-auditor"))
    )

    assert (code, error_info(status).reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "OUTSIDE_TOKEN_SCOPE",
    )
