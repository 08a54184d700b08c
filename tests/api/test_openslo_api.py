"""`sla-ledger openslo export --ledger` against a real server: an agreement's objectives out as
OpenSLO, back in as the terms of a second agreement the ledger signs, and the same terms read."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from service.generated.sla.ledger.v1 import ledger_service_pb2 as service
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as service_grpc
from tests.unit.openslo.openslo_samples import rich_terms

CLI = (sys.executable, "-m", "service.cli", "openslo")


def _sign(stub: service_grpc.LedgerServiceStub, request: service.SignAgreementRequest) -> None:
    stub.SignAgreement(request, timeout=10)


def test_objectives_exported_from_a_ledger_sign_an_agreement_with_the_same_terms(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    run_command: Callable[[Sequence[str]], Any],
    tmp_path: Path,
) -> None:
    server = start_server(sqlite_database_url)
    stub = service_grpc.LedgerServiceStub(server.channel)
    first = service.SignAgreementRequest(agreement_id="acme-1", terms=rich_terms())
    first.signed_at.FromJsonString("2026-01-01T00:00:00Z")
    _sign(stub, first)
    ledger = ("--ledger", f"127.0.0.1:{server.port}")

    slos = tmp_path / "slos.yaml"
    exported = run_command(
        [*CLI, "export", *ledger, "--agreement", "acme-1", "--output", str(slos)]
    )
    assert exported.returncode == 0, exported.stderr
    assert "not mapped: objective api_latency: schedule (business hours)" in exported.stderr
    second = service.SignAgreementRequest()
    second.CopyFrom(first)
    second.agreement_id = "acme-2"
    del second.terms.objectives[:]
    request_file = tmp_path / "sign-2.json"
    request_file.write_text(json_format.MessageToJson(second))
    imported = run_command(
        [*CLI, "import", "--strict", "--into-terms", str(request_file), str(slos)]
    )
    assert imported.returncode == 0, imported.stderr
    _sign(stub, json_format.Parse(imported.stdout, service.SignAgreementRequest()))

    def terms_of(agreement_id: str) -> Any:
        request = service.GetAgreementRequest(agreement_id=agreement_id)
        return stub.GetAgreement(request, timeout=10).agreement.terms

    assert terms_of("acme-2") == terms_of("acme-1")


def test_an_agreement_the_ledger_does_not_have_exits_1_with_its_answer(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    run_command: Callable[[Sequence[str]], Any],
) -> None:
    server = start_server(sqlite_database_url)
    done = run_command(
        [*CLI, "export", "--ledger", f"127.0.0.1:{server.port}", "--agreement", "nobody"]
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "sla-ledger openslo export: the ledger answered an error: NOT_FOUND: "
    )
    assert done.stdout == ""
