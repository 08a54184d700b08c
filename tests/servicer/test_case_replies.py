"""The GetCase reply of a case view: milestones cut to the message limit, clocks whole."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.case_clocks import ClockState
from domain.case_milestones import Milestone, MilestoneKind
from domain.case_readings import ClockReading
from service.api.mapping.cases import case_page_to_proto, case_to_proto, summary_to_proto
from service.app.case_views import CasePage, CaseSummary, CaseView, RecordedMilestone
from service.generated.sla.ledger.v1 import cases_pb2
from service.store.event_limits import item_bytes

AT = datetime(2026, 3, 2, 8, tzinfo=UTC)
AT_US = int(AT.timestamp()) * 1_000_000
HOUR_US = 3600 * 1_000_000


def _view() -> CaseView:
    opened = Milestone("T-1", MilestoneKind.OPENED, AT_US, labels={"priority": "P1"})
    relabels = [
        Milestone("T-1", MilestoneKind.RELABELED, AT_US + n, labels={"priority": "P1", "n": "x"})
        for n in range(1, 4)
    ]
    clock = ClockReading(
        objective_id="p1-resolution",
        read_at_us=AT_US + 2 * HOUR_US,
        state=ClockState.RUNNING,
        in_scope=True,
        target_us=4 * HOUR_US,
        elapsed_us=2 * HOUR_US,
        due_at_us=AT_US + 4 * HOUR_US,
        at_risk_at_us=AT_US + 3 * HOUR_US,
        breached_at_us=None,
        stopped_at_us=None,
        judgement=None,
    )
    return CaseView(
        agreement_id="sla-desk",
        case_id="T-1",
        as_of=AT,
        known_at=AT,
        terms_version=1,
        state="open",
        labels={"priority": "P1"},
        opened_at=AT,
        milestones=tuple(
            RecordedMilestone(m, AT, False, n + 2) for n, m in enumerate([opened, *relabels])
        ),
        clocks=(clock,),
        log_position=5,
    )


def test_every_milestone_is_listed_when_they_fit() -> None:
    reply = case_to_proto(_view(), 1_000_000)

    assert len(reply.milestones) == 4 and not reply.milestones_truncated


def test_milestones_beyond_the_message_limit_are_left_out_and_said_so() -> None:
    reply = case_to_proto(_view(), 1)

    assert len(reply.milestones) == 1 and reply.milestones_truncated
    assert len(reply.clocks) == 1


def test_a_running_clock_has_no_breach_stop_or_judgement_instant() -> None:
    clock = case_to_proto(_view(), 1_000_000).clocks[0]

    assert clock.state == cases_pb2.CLOCK_STATE_RUNNING
    assert clock.remaining.ToMicroseconds() == 2 * HOUR_US
    assert not any(clock.HasField(f) for f in ("breached_at", "stopped_at", "judged"))
    assert clock.in_scope and not clock.at_risk


def _summaries(count: int) -> list[CaseSummary]:
    return [
        CaseSummary(f"T-{n}", "open", {"priority": "P1", "note": "x" * 100}, AT, ())
        for n in range(count)
    ]


def test_a_page_that_fits_is_sent_as_the_application_gave_it() -> None:
    asked: list[int] = []

    def fetch(size: int) -> CasePage:
        asked.append(size)
        return CasePage(tuple(_summaries(size)), "next")

    reply = case_page_to_proto(fetch, 10, 1_000_000)

    assert (len(reply.cases), reply.next_page_token, asked) == (10, "next", [10])


def test_a_page_beyond_the_message_limit_is_asked_again_with_as_many_cases_as_fit() -> None:
    asked: list[int] = []
    one = item_bytes(summary_to_proto(_summaries(1)[0]).ByteSize())

    def fetch(size: int) -> CasePage:
        asked.append(size)
        return CasePage(tuple(_summaries(size)), f"after-{size}")

    reply = case_page_to_proto(fetch, 10, 3 * one)

    assert asked == [10, 3]
    assert (len(reply.cases), reply.next_page_token) == (3, "after-3")
