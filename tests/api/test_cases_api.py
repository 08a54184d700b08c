"""Cases against a real server: an agreement with a P1 case objective, one ticket's milestones
recorded, and GetCase reading its clock running, paused and breached at instants chosen by the
test (as_of), on SQLite and PostgreSQL.

The ticket opens at T (a whole hour, ten hours before the test starts), waits for the customer
from T+1h to T+2h, and is never resolved; the objective resolves P1 tickets within 4 hours of
all hours, so its clock is due at T+5h: 4 hours counted plus the hour it stood paused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import (
    cases_pb2,
    events_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
HOUR = timedelta(hours=1)
NOW = datetime.now(UTC)
T = NOW.replace(minute=0, second=0, microsecond=0) - 10 * HOUR
START = datetime(2025, 1, 1, tzinfo=UTC)


def _milestone(
    kind: cases_pb2.MilestoneKind, at: datetime, **fields: Any
) -> cases_pb2.CaseMilestone:
    return cases_pb2.CaseMilestone(
        case_id="T-1", kind=kind, occurred_at=build.timestamp(at), **fields
    )


TICKET = [
    _milestone(cases_pb2.MILESTONE_KIND_OPENED, T, labels={"priority": "P1"}, milestone_id="o"),
    _milestone(
        cases_pb2.MILESTONE_KIND_PAUSED,
        T + HOUR,
        pause_reason=terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER,
    ),
    _milestone(cases_pb2.MILESTONE_KIND_RESUMED, T + 2 * HOUR),
]


@pytest.fixture
def ticket(stub: Stub) -> pb.RecordCaseEventsResponse:
    """The agreement signed and the ticket's three milestones recorded."""
    stub.SignAgreement(
        build.sign_request("sla-desk", START, START, objectives=[build.case_objective()]),
        timeout=TIMEOUT,
    )
    recorded: pb.RecordCaseEventsResponse = stub.RecordCaseEvents(
        pb.RecordCaseEventsRequest(agreement_id="sla-desk", milestones=TICKET), timeout=TIMEOUT
    )
    return recorded


def _clock_at(stub: Stub, as_of: datetime) -> cases_pb2.CaseClockReading:
    request = pb.GetCaseRequest(
        agreement_id="sla-desk", case_id="T-1", as_of=build.timestamp(as_of)
    )
    case = stub.GetCase(request, timeout=TIMEOUT)
    assert [c.objective_id for c in case.clocks] == ["p1-resolution"]
    clock: cases_pb2.CaseClockReading = case.clocks[0]
    return clock


def test_the_ticket_is_recorded_whole(ticket: pb.RecordCaseEventsResponse) -> None:
    assert (ticket.recorded_count, ticket.duplicate_count, ticket.late_count) == (3, 0, 0)


def test_the_clock_runs_after_the_opening(stub: Stub, ticket: Any) -> None:
    clock = _clock_at(stub, T + HOUR / 2)

    assert clock.state == cases_pb2.CLOCK_STATE_RUNNING
    assert (clock.elapsed.seconds, clock.remaining.seconds) == (1800, 12600)
    assert clock.due_at.ToDatetime(tzinfo=UTC) == T + 4 * HOUR


def test_the_clock_stands_still_while_the_customer_is_awaited(stub: Stub, ticket: Any) -> None:
    clock = _clock_at(stub, T + 1.5 * HOUR)

    assert clock.state == cases_pb2.CLOCK_STATE_PAUSED
    assert clock.elapsed.seconds == 3600
    assert not clock.HasField("due_at")


def test_the_resumed_clock_is_due_an_hour_later(stub: Stub, ticket: Any) -> None:
    clock = _clock_at(stub, T + 3 * HOUR)

    assert clock.state == cases_pb2.CLOCK_STATE_RUNNING
    assert clock.elapsed.seconds == 2 * 3600
    assert clock.due_at.ToDatetime(tzinfo=UTC) == T + 5 * HOUR
    assert clock.at_risk_at.ToDatetime(tzinfo=UTC) == T + 4 * HOUR  # 3 of 4 hours counted


def test_after_the_due_instant_the_clock_is_breached(stub: Stub, ticket: Any) -> None:
    clock = _clock_at(stub, T + 6 * HOUR)

    assert clock.state == cases_pb2.CLOCK_STATE_BREACHED
    assert clock.breached_at.ToDatetime(tzinfo=UTC) == T + 5 * HOUR
    assert not clock.judged.met
    assert clock.judged.judged_at.ToDatetime(tzinfo=UTC) == T + 5 * HOUR


def test_get_case_waits_for_the_position_the_batch_returned(
    stub: Stub, ticket: pb.RecordCaseEventsResponse
) -> None:
    request = pb.GetCaseRequest(
        agreement_id="sla-desk", case_id="T-1", min_log_position=ticket.log_position
    )

    case = stub.GetCase(request, timeout=TIMEOUT)

    assert case.log_position >= ticket.log_position
    assert [m.milestone for m in case.milestones] == TICKET
    assert case.state == cases_pb2.CASE_STATE_OPEN


def test_the_milestones_are_events_of_the_agreement(
    ticket: Any, stub: Stub, list_all_events: Callable[..., list[events_pb2.LedgerEvent]]
) -> None:
    events = list_all_events(stub, "sla-desk")

    recorded = [e for e in events if e.HasField("case_milestone_recorded")]
    assert [e.case_milestone_recorded.milestone for e in recorded] == TICKET
    assert {e.stream_id for e in recorded} == {"agreement:sla-desk/case:T-1"}


def test_the_same_batch_again_records_nothing(stub: Stub, ticket: Any) -> None:
    request = pb.RecordCaseEventsRequest(agreement_id="sla-desk", milestones=TICKET)

    again = stub.RecordCaseEvents(request, timeout=TIMEOUT)

    assert (again.recorded_count, again.duplicate_count) == (0, 3)


def test_a_resumption_without_a_pause_refuses_the_batch_naming_the_milestone(
    stub: Stub, ticket: Any
) -> None:
    resumed = _milestone(cases_pb2.MILESTONE_KIND_RESUMED, T + 3 * HOUR)
    request = pb.RecordCaseEventsRequest(agreement_id="sla-desk", milestones=[resumed])

    with pytest.raises(grpc.RpcError) as refused:
        stub.RecordCaseEvents(request, timeout=TIMEOUT)

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "milestones[0]" in (refused.value.details() or "")


def test_a_subscriber_to_case_milestones_by_their_json_name_receives_the_ticket(
    stub: Stub, ticket: pb.RecordCaseEventsResponse
) -> None:
    request = pb.SubscribeEventsRequest(
        agreement_id="sla-desk", event_types=["caseMilestoneRecorded"]
    )
    subscription = stub.SubscribeEvents(request, timeout=TIMEOUT)
    events: list[events_pb2.LedgerEvent] = []
    for response in subscription:
        events.extend(response.events)
        if response.log_position >= ticket.log_position:
            break
    subscription.cancel()

    assert [e.case_milestone_recorded.milestone for e in events] == TICKET


def test_the_breached_ticket_is_listed_among_the_breached_cases(stub: Stub, ticket: Any) -> None:
    request = pb.ListCasesRequest(agreement_id="sla-desk", breached=True)

    page = stub.ListCases(request, timeout=TIMEOUT)

    assert [case.case_id for case in page.cases] == ["T-1"]
    assert page.cases[0].clocks[0].breached_at.ToDatetime(tzinfo=UTC) == T + 5 * HOUR
    assert page.next_page_token == ""


def test_no_ticket_is_at_risk_once_it_is_breached(stub: Stub, ticket: Any) -> None:
    request = pb.ListCasesRequest(agreement_id="sla-desk", at_risk=True)

    assert list(stub.ListCases(request, timeout=TIMEOUT).cases) == []
