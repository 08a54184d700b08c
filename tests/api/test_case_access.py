"""Tokens on the case calls: roles decide who records and who reads, scopes whose cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import cases_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests.api.token_server import START, TIMEOUT, Stub, auth, code, sign_as, write_tokens


@pytest.fixture
def server(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Any:
    tokens = write_tokens(tmp_path / "tokens.json")
    return start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )


def _case_batch(agreement_id: str) -> pb.RecordCaseEventsRequest:
    opened = cases_pb2.CaseMilestone(
        case_id="T-1",
        kind=cases_pb2.MILESTONE_KIND_OPENED,
        occurred_at=build.timestamp(START),
        labels={"priority": "P1"},
    )
    return pb.RecordCaseEventsRequest(agreement_id=agreement_id, milestones=[opened])


def test_a_writer_records_case_milestones_and_an_auditor_reads_the_case(server: Any) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "sla-1")
    batch = _case_batch("sla-1")
    read = pb.GetCaseRequest(agreement_id="sla-1", case_id="T-1")

    def record(who: str) -> grpc.StatusCode:
        return code(lambda: stub.RecordCaseEvents(batch, timeout=TIMEOUT, metadata=auth(who)))

    def get(who: str) -> grpc.StatusCode:
        return code(lambda: stub.GetCase(read, timeout=TIMEOUT, metadata=auth(who)))

    assert record("auditor") is grpc.StatusCode.PERMISSION_DENIED
    assert record("writer") is grpc.StatusCode.OK
    assert get("writer") is grpc.StatusCode.PERMISSION_DENIED
    assert get("auditor") is grpc.StatusCode.OK


def test_a_token_of_another_customer_finds_neither_the_cases_nor_their_agreement(
    server: Any,
) -> None:
    stub = Stub(server.channel)
    sign_as(stub, "sla-1")
    stub.RecordCaseEvents(_case_batch("sla-1"), timeout=TIMEOUT, metadata=auth("admin"))
    read = pb.GetCaseRequest(agreement_id="sla-1", case_id="T-1")
    batch = _case_batch("sla-1")

    assert (
        code(lambda: stub.GetCase(read, timeout=TIMEOUT, metadata=auth("initech-auditor")))
        is grpc.StatusCode.NOT_FOUND
    )
    assert (
        code(lambda: stub.RecordCaseEvents(batch, timeout=TIMEOUT, metadata=auth("initech-writer")))
        is grpc.StatusCode.NOT_FOUND
    )
