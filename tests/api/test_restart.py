"""What a server wrote is intact after it stops and a new server opens the same database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.generated.sla.ledger.v1 import (
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)

RPC_TIMEOUT_SECONDS = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub
ListAllEvents = Callable[..., list[events_pb2.LedgerEvent]]


@pytest.fixture
def before_and_after(
    start_server: Callable[..., Any],
    database_url: str,
    write_the_flow: Callable[[Stub, str], None],
    list_all_events: ListAllEvents,
) -> tuple[list[events_pb2.LedgerEvent], Stub]:
    """The log as the first server listed it, and a client of a second server on its database."""
    first = start_server(database_url)
    write_the_flow(Stub(first.channel), "sla-1")
    before = list_all_events(Stub(first.channel))
    first.stop()
    second = start_server(database_url)
    return before, Stub(second.channel)


def test_the_agreement_is_terminated_with_terms_version_2_after_a_restart(
    before_and_after: tuple[list[events_pb2.LedgerEvent], Stub],
) -> None:
    _, stub = before_and_after

    read = stub.GetAgreement(
        ledger_service_pb2.GetAgreementRequest(agreement_id="sla-1"), timeout=RPC_TIMEOUT_SECONDS
    )

    assert read.agreement.status == terms_pb2.AGREEMENT_STATUS_TERMINATED
    assert (read.agreement.terms_version, read.agreement.version) == (2, 3)


def test_every_event_and_all_10000_readings_are_listed_after_a_restart(
    before_and_after: tuple[list[events_pb2.LedgerEvent], Stub], list_all_events: ListAllEvents
) -> None:
    before, stub = before_and_after

    after = list_all_events(stub)

    # sign, amend, terminate, and one metric_measured event per UTC day of the 10,000 minutes
    assert len(after) == 3 + 7
    assert sum(len(e.metric_measured.measurements) for e in after) == 10_000
    assert after == before


def test_readings_sent_before_a_restart_are_duplicates_after_it(
    before_and_after: tuple[list[events_pb2.LedgerEvent], Stub],
    minute_readings: Callable[..., ledger_service_pb2.RecordMeasurementsRequest],
) -> None:
    _, stub = before_and_after

    resent = stub.RecordMeasurements(minute_readings("sla-1"), timeout=RPC_TIMEOUT_SECONDS)

    assert (resent.recorded_count, resent.duplicate_count) == (0, 10_000)
