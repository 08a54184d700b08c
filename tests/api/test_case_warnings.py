"""A real server warns of a ticket's clock: a SubscribeEvents consumer (a pager) receives the
at-risk and the breach events of a ticket opened now, without polling.

The objective: P1 tickets resolved within 4 s, all hours; at risk at 75% (3 s after opening).
The server warns every 0.2 s; the stream's deadline bounds the wait.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from service.generated.sla.ledger.v1 import (
    cases_pb2,
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
)
from tests import proto_builders as build

TIMEOUT = 10
STREAM_DEADLINE_SECONDS = 30
WARNING = ("--case-warning-interval", "0.2", "--close-periods", "off")


def test_a_subscriber_receives_the_at_risk_and_breach_warnings_of_a_ticket(
    sqlite_database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(sqlite_database_url, extra_args=WARNING)
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    now = datetime.now(UTC)
    objective = build.case_objective(target_seconds=4)
    start = now - timedelta(days=1)
    stub.SignAgreement(
        build.sign_request("globex-1", start, start, time_zone="UTC", objectives=[objective]),
        timeout=TIMEOUT,
    )
    subscription = stub.SubscribeEvents(
        ledger_service_pb2.SubscribeEventsRequest(
            agreement_id="globex-1", event_types=["case_clock_warned"]
        ),
        timeout=STREAM_DEADLINE_SECONDS,
    )
    opened = cases_pb2.CaseMilestone(
        case_id="T-1",
        kind=cases_pb2.MILESTONE_KIND_OPENED,
        occurred_at=build.timestamp(now),
        labels={"priority": "P1"},
    )
    stub.RecordCaseEvents(
        ledger_service_pb2.RecordCaseEventsRequest(agreement_id="globex-1", milestones=[opened]),
        timeout=TIMEOUT,
    )

    warned: list[events_pb2.LedgerEvent] = []
    for response in subscription:
        warned.extend(e for e in response.events if e.HasField("case_clock_warned"))
        if len(warned) >= 2:
            break
    subscription.cancel()

    payloads = [e.case_clock_warned for e in warned]
    assert [(p.case_id, p.objective_id, p.warning) for p in payloads] == [
        ("T-1", "p1-resolution", cases_pb2.CASE_WARNING_AT_RISK),
        ("T-1", "p1-resolution", cases_pb2.CASE_WARNING_BREACHED),
    ]
    due = now + timedelta(seconds=4)
    assert [p.reached_at.ToDatetime(UTC) for p in payloads] == [now + timedelta(seconds=3), due]
    assert {p.due_at.ToDatetime(UTC) for p in payloads} == {due}
    assert all(e.actor == "sla-ledger case warner" for e in warned)
