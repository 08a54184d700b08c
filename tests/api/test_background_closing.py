"""A real server's period closer beside an agreement whose closing fails: the others are closed.

The poisoned agreement (customer initech, term start in year 1 in America/New_York, whose
closing overflows the calendar) is stored in the log before the server starts, as its event
stands, past the door's checks; the healthy one (customer globex, monthly from January 2025) is
signed through the API after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic

from domain.agreement import Agreement
from domain.identifiers import agreement_stream
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc
from service.store.storage import parse_database_url

DEADLINE_SECONDS = 30.0
CLOSING = ("--close-periods", "on", "--close-grace", "0", "--close-interval", "0.2")


def _store_poisoned_agreement(database_url: str, agreement_id: str) -> None:
    storage = parse_database_url(database_url)
    app = open_application(storage)
    terms = AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party("initech", "Initech"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute",),
        time_zone="America/New_York",
        fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        term_start=datetime(1, 1, 1, tzinfo=UTC),
        term_end=None,
        objectives=(Objective("availability", "availability", Decimal("99.9"), PeriodUnit.MONTH),),
    )
    recorded_at = datetime.now(UTC)
    app.save(
        Agreement.Signed(
            originator_id=agreement_stream(agreement_id),
            originator_version=1,
            timestamp=recorded_at,
            originator_topic=get_topic(Agreement),
            agreement_id=agreement_id,
            terms=terms,
            signed_at=recorded_at,
        )
    )
    app.close()


def _months_ended(first: datetime, now: datetime) -> list[str]:
    """The labels of the months from first up to the one before now's (all ended in Berlin)."""
    labels = []
    year, month = first.year, first.month
    while (year, month) < (now.year, now.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def test_a_server_closes_every_due_period_of_an_agreement_signed_after_a_poisoned_one(
    database_url: str,
    start_server: Callable[..., Any],
    sign_request: Callable[..., Any],
    list_all_events: Callable[..., Any],
) -> None:
    _store_poisoned_agreement(database_url, "initech-1")
    server = start_server(database_url, extra_args=CLOSING)
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    stub.SignAgreement(sign_request("globex-1"), timeout=DEADLINE_SECONDS)
    due = _months_ended(datetime(2025, 1, 1, tzinfo=UTC), datetime.now(UTC))

    deadline = time.monotonic() + DEADLINE_SECONDS
    closed: set[str] = set()
    while not set(due) <= closed and time.monotonic() < deadline:
        time.sleep(0.2)
        events = list_all_events(stub, "globex-1", page_size=1000)
        closed = {e.period_closed.period_label for e in events if e.HasField("period_closed")}

    assert set(due) <= closed
    failure = server.wait_for_log("agreement failed; retrying it later", DEADLINE_SECONDS)
    assert failure["agreement_id"] == "initech-1"
    assert "OverflowError" in failure["exception"]
    poisoned = ledger_service_pb2.ListEventsRequest(agreement_id="initech-1", page_size=10)
    assert len(stub.ListEvents(poisoned, timeout=DEADLINE_SECONDS).events) == 1


def test_a_server_lets_history_be_back_filled_before_it_closes_the_past_periods(
    sqlite_database_url: str,
    start_server: Callable[..., Any],
    sign_request: Callable[..., Any],
    minute_readings: Callable[..., Any],
    list_all_events: Callable[..., Any],
) -> None:
    grace = ("--close-grace", "8")  # far beyond the second the test waits before back-filling
    server = start_server(sqlite_database_url, extra_args=(*CLOSING, *grace))
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    stub.SignAgreement(sign_request("globex-1"), timeout=DEADLINE_SECONDS)  # from January 2025
    time.sleep(1.0)  # five closing rounds: before this change they closed every past month

    recorded = stub.RecordMeasurements(minute_readings("globex-1", 1_000), timeout=10)
    deadline = time.monotonic() + DEADLINE_SECONDS
    closed: dict[str, Any] = {}
    while "2025-02" not in closed and time.monotonic() < deadline:
        time.sleep(0.2)
        events = list_all_events(stub, "globex-1", page_size=1000)
        closed = {e.period_closed.period_label: e for e in events if e.HasField("period_closed")}

    assert recorded.late_count == 0
    assert closed["2025-02"].period_closed.status in ("met", "breached")
