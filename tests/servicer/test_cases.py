"""RecordCaseEvents and GetCase through the servicer: milestones recorded and counted, retried
safely, and a ticket's clock read running, paused, at risk and breached.

The servicer's clock stands at 2026-06-01T00:00Z; the P1 objective resolves within 4 hours of
all hours, so a ticket opened at 22:00 the evening before has run 2 hours at midnight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.api.servicer import LedgerServicer
from service.api.subscriptions import EventStreams
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import cases_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
OPENED = cases_pb2.MILESTONE_KIND_OPENED
PAUSED = cases_pb2.MILESTONE_KIND_PAUSED
RESOLVED = cases_pb2.MILESTONE_KIND_RESOLVED


def _milestone(
    kind: cases_pb2.MilestoneKind,
    at: datetime,
    case_id: str = "T-1",
    **fields: Any,
) -> cases_pb2.CaseMilestone:
    if kind == OPENED and "labels" not in fields:
        fields["labels"] = {"priority": "P1"}
    return cases_pb2.CaseMilestone(
        case_id=case_id, kind=kind, occurred_at=build.timestamp(at), **fields
    )


def _record(
    *milestones: cases_pb2.CaseMilestone, request_id: str = ""
) -> pb.RecordCaseEventsRequest:
    return pb.RecordCaseEventsRequest(
        agreement_id="sla-cases", milestones=milestones, request_id=request_id
    )


def _get(case_id: str = "T-1", as_of: datetime | None = None) -> pb.GetCaseRequest:
    request = pb.GetCaseRequest(agreement_id="sla-cases", case_id=case_id)
    if as_of is not None:
        request.as_of.CopyFrom(build.timestamp(as_of))
    return request


@pytest.fixture
def signed(invoke_ok: Invoke, sign_request: Callable[..., pb.SignAgreementRequest]) -> str:
    """An agreement with a P1 resolution objective of 4 hours (all hours)."""
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[build.case_objective()]))
    return "sla-cases"


def _clock(invoke_ok: Invoke, request: pb.GetCaseRequest) -> cases_pb2.CaseClockReading:
    case = invoke_ok("GetCase", request)
    assert [c.objective_id for c in case.clocks] == ["p1-resolution"]
    clock: cases_pb2.CaseClockReading = case.clocks[0]
    return clock


def test_a_new_batch_is_counted_as_recorded(invoke_ok: Invoke, signed: str) -> None:
    reply = invoke_ok(
        "RecordCaseEvents", _record(_milestone(OPENED, NOW - 3 * HOUR), _milestone(RESOLVED, NOW))
    )

    assert (reply.recorded_count, reply.duplicate_count, reply.late_count) == (2, 0, 0)
    assert reply.log_position > 0


def test_a_batch_sent_again_is_counted_as_duplicates(invoke_ok: Invoke, signed: str) -> None:
    batch = _record(_milestone(OPENED, NOW - 3 * HOUR), _milestone(RESOLVED, NOW))
    invoke_ok("RecordCaseEvents", batch)

    again = invoke_ok("RecordCaseEvents", batch)

    assert (again.recorded_count, again.duplicate_count, again.log_position) == (0, 2, 0)


def test_a_retried_request_id_gets_the_first_reply_and_appends_nothing(
    invoke_ok: Invoke, signed: str, all_events: Callable[[str], list[Any]]
) -> None:
    batch = _record(_milestone(OPENED, NOW - 3 * HOUR), request_id="r-1")
    first = invoke_ok("RecordCaseEvents", batch)
    events = len(all_events("sla-cases"))

    retried = invoke_ok("RecordCaseEvents", batch)

    assert retried == first
    assert len(all_events("sla-cases")) == events


def test_a_ticket_opened_two_hours_ago_runs_with_two_hours_left(
    invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok("RecordCaseEvents", _record(_milestone(OPENED, NOW - 2 * HOUR)))

    clock = _clock(invoke_ok, _get())

    assert clock.state == cases_pb2.CLOCK_STATE_RUNNING
    assert (clock.elapsed.seconds, clock.remaining.seconds, clock.target.seconds) == (
        7200,
        7200,
        14400,
    )
    assert clock.due_at.ToDatetime(tzinfo=UTC) == NOW + 2 * HOUR
    assert clock.at_risk_at.ToDatetime(tzinfo=UTC) == NOW + HOUR  # 75% of 4 hours: 3 hours
    assert not clock.at_risk and not clock.HasField("judged")


def test_a_ticket_waiting_for_the_customer_is_paused_without_a_due_instant(
    invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok(
        "RecordCaseEvents",
        _record(
            _milestone(OPENED, NOW - 3 * HOUR),
            _milestone(
                PAUSED, NOW - 2 * HOUR, pause_reason=terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER
            ),
        ),
    )

    clock = _clock(invoke_ok, _get())

    assert clock.state == cases_pb2.CLOCK_STATE_PAUSED
    assert clock.elapsed.seconds == 3600
    assert not clock.HasField("due_at")


def test_a_ticket_open_past_its_target_is_breached_at_its_due_instant(
    invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok("RecordCaseEvents", _record(_milestone(OPENED, NOW - 5 * HOUR)))

    clock = _clock(invoke_ok, _get())

    assert clock.state == cases_pb2.CLOCK_STATE_BREACHED
    assert clock.breached_at.ToDatetime(tzinfo=UTC) == NOW - HOUR
    assert clock.remaining.seconds == -3600
    assert not clock.judged.met
    assert clock.judged.judged_at.ToDatetime(tzinfo=UTC) == NOW - HOUR


def test_a_ticket_past_three_quarters_of_its_target_is_at_risk(
    invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok("RecordCaseEvents", _record(_milestone(OPENED, NOW - 3.5 * HOUR)))

    clock = _clock(invoke_ok, _get())

    assert clock.at_risk
    assert clock.at_risk_at.ToDatetime(tzinfo=UTC) == NOW - HOUR / 2


def test_the_at_risk_share_is_the_servicers_configured_one(
    ledger_app: LedgerApplication, clock: Any, invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok("RecordCaseEvents", _record(_milestone(OPENED, NOW - 2.5 * HOUR)))
    half = LedgerServicer(ledger_app, clock, EventStreams(ledger_app), case_at_risk_percent=50)

    reading = half.GetCase(_get(), None).clocks[0]

    assert reading.at_risk
    assert reading.at_risk_at.ToDatetime(tzinfo=UTC) == NOW - HOUR / 2


def test_as_of_reads_the_clock_and_the_timeline_at_that_instant(
    invoke_ok: Invoke, signed: str
) -> None:
    invoke_ok(
        "RecordCaseEvents",
        _record(_milestone(OPENED, NOW - 5 * HOUR), _milestone(RESOLVED, NOW - HOUR / 2)),
    )

    case = invoke_ok("GetCase", _get(as_of=NOW - 4 * HOUR))

    assert case.state == cases_pb2.CASE_STATE_OPEN
    assert [m.milestone.kind for m in case.milestones] == [OPENED]
    assert case.clocks[0].elapsed.seconds == 3600
    assert case.as_of.ToDatetime(tzinfo=UTC) == NOW - 4 * HOUR


def test_the_timeline_shows_each_milestone_with_when_it_was_recorded(
    invoke_ok: Invoke, signed: str
) -> None:
    recorded = invoke_ok(
        "RecordCaseEvents", _record(_milestone(OPENED, NOW - 3 * HOUR), _milestone(RESOLVED, NOW))
    )

    case = invoke_ok("GetCase", _get())

    assert case.state == cases_pb2.CASE_STATE_RESOLVED
    assert dict(case.labels) == {"priority": "P1"}
    assert case.opened_at.ToDatetime(tzinfo=UTC) == NOW - 3 * HOUR
    assert [m.recorded_at.ToDatetime(tzinfo=UTC) for m in case.milestones] == [NOW, NOW]
    assert case.milestones[-1].log_position == recorded.log_position
    assert case.clocks[0].state == cases_pb2.CLOCK_STATE_MET
    assert not case.milestones_truncated


def test_a_case_outside_every_objectives_label_scope_has_no_clocks(
    invoke_ok: Invoke, signed: str
) -> None:
    opened = _milestone(OPENED, NOW - HOUR, labels={"priority": "P3"})
    invoke_ok("RecordCaseEvents", _record(opened))

    assert list(invoke_ok("GetCase", _get()).clocks) == []


def test_an_unknown_case_is_not_found(invoke: Invoke, signed: str) -> None:
    assert invoke("GetCase", _get("T-404")).code is grpc.StatusCode.NOT_FOUND


def test_milestones_of_an_unknown_agreement_are_not_found(invoke: Invoke) -> None:
    request = _record(_milestone(OPENED, NOW - HOUR))

    assert invoke("RecordCaseEvents", request).code is grpc.StatusCode.NOT_FOUND
