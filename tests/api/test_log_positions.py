"""GetAgreement and ListEvents say how far the log had come, as the other reads do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc

TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str) -> Stub:
    return Stub(start_server(sqlite_database_url).channel)


def test_get_agreement_carries_the_log_position_it_reflects(
    stub: Stub, sign_request: Callable[..., Any]
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    signed = stub.SignAgreement(sign_request("sla-2"), timeout=TIMEOUT)

    read = stub.GetAgreement(pb.GetAgreementRequest(agreement_id="sla-1"), timeout=TIMEOUT)

    assert read.log_position == signed.log_position


def test_a_page_of_events_carries_the_log_position_it_was_read_at(
    stub: Stub, sign_request: Callable[..., Any]
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    signed = stub.SignAgreement(sign_request("sla-2"), timeout=TIMEOUT)

    page = stub.ListEvents(pb.ListEventsRequest(agreement_id="sla-1"), timeout=TIMEOUT)

    assert [e.position for e in page.events] == [signed.log_position - 1]
    assert page.log_position == signed.log_position
