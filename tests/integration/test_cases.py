"""Recording case milestones and reading cases back, on SQLite and PostgreSQL: counts,
duplicates, refusals, lateness, and a case's timeline and clocks at as_of as known at known_at."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.case_clocks import ClockState
from domain.case_milestones import MAX_CASE_BATCH, CaseMilestoneRecorded, Milestone, MilestoneKind
from domain.case_readings import ClockReading
from domain.errors import InvalidArgumentError, NotFoundError
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord, CommandRequest
from service.store.storage import parse_database_url
from tests.clocks import SettableClock
from tests.concurrency import run_concurrently
from tests.unit.cases.timelines import HOUR_US, at, case_objective, milestone, opened
from tests.unit.refusals import violated_fields

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(NOW)


@pytest.fixture
def app(
    database_url: str, clock: SettableClock, make_terms: Callable[..., Any]
) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    terms = make_terms(time_zone="UTC", objectives=(case_objective("resolution", hours=4),))
    application.commands.sign_agreement("a-1", terms, SIGNED_AT)
    yield application
    application.close()


def _resolved(when: str, case_id: str = "T-1", milestone_id: str = "") -> Milestone:
    return milestone(MilestoneKind.RESOLVED, when, case_id, milestone_id=milestone_id)


def test_recording_a_batch_counts_its_new_milestones(app: LedgerApplication) -> None:
    batch = [
        opened("2026-01-05T10:00:00+00:00"),
        milestone(MilestoneKind.FIRST_RESPONSE, "2026-01-05T10:10:00+00:00"),
        opened("2026-01-05T10:05:00+00:00", "T-2"),
    ]

    recorded = app.cases.record("a-1", batch)

    assert (recorded.new, recorded.duplicates, recorded.late) == (3, 0, 0)
    assert recorded.log_position == app.event_log.head()


def test_each_milestone_is_one_event_of_its_case_stream(app: LedgerApplication) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])
    app.cases.record("a-1", [_resolved("2026-01-05T10:30:00+00:00")])

    [events] = app.event_log.case_events("a-1", ["T-1"]).values()

    assert [(e.event.originator_version, e.event.kind) for e in events] == [
        (1, "opened"),
        (2, "resolved"),
    ]


def test_the_same_case_kind_and_instant_again_is_a_duplicate(app: LedgerApplication) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])

    again = app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])

    assert (again.new, again.duplicates, again.log_position) == (0, 1, 0)


def test_the_same_client_milestone_id_again_is_a_duplicate(app: LedgerApplication) -> None:
    app.cases.record(
        "a-1",
        [opened("2026-01-05T10:00:00+00:00"), _resolved("2026-01-05T10:30:00+00:00", "T-1", "r1")],
    )

    again = app.cases.record("a-1", [_resolved("2026-01-05T10:40:00+00:00", "T-1", "r1")])

    assert (again.new, again.duplicates) == (0, 1)


def test_a_retried_request_id_gets_the_first_reply_without_recording_again(
    app: LedgerApplication,
) -> None:
    message = pb.RecordMeasurementsRequest(agreement_id="a-1", request_id="req-1")
    batch = [opened("2026-01-05T10:00:00+00:00"), opened("2026-01-05T10:01:00+00:00", "T-2")]

    def call() -> Any:
        def carry_out(once: CommandRequest | None) -> Any:
            return app.cases.record("a-1", batch, request=once)

        def replay(record: CommandRecord) -> Any:
            return app.cases.replayed(record, len(batch))

        return app.idempotency.carry_out_once("RecordCaseEvents", message, None, carry_out, replay)

    first = call()
    head = app.event_log.head()
    retried = call()

    assert retried == first
    assert app.event_log.head() == head


def test_a_bad_timeline_is_refused_whole_naming_each_bad_milestone(
    app: LedgerApplication,
) -> None:
    head = app.event_log.head()
    batch = [
        opened("2026-01-05T10:00:00+00:00"),
        milestone(MilestoneKind.RESUMED, "2026-01-05T10:10:00+00:00"),
        _resolved("2026-01-05T10:20:00+00:00", "T-unknown"),
    ]

    with pytest.raises(InvalidArgumentError) as refused:
        app.cases.record("a-1", batch)

    assert violated_fields(refused) == ["milestones[1]", "milestones[2]"]
    assert app.event_log.head() == head
    assert app.event_log.case_rows("a-1") == []


def test_a_milestone_that_breaks_the_recorded_timeline_is_refused(
    app: LedgerApplication,
) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])

    with pytest.raises(InvalidArgumentError) as refused:
        app.cases.record("a-1", [opened("2026-01-05T10:30:00+00:00")])

    assert violated_fields(refused) == ["milestones[0]"]


def test_a_milestone_beyond_the_clock_skew_is_refused(app: LedgerApplication) -> None:
    beyond = NOW + app.max_clock_skew + timedelta(microseconds=1)

    with pytest.raises(InvalidArgumentError) as refused:
        app.cases.record("a-1", [opened(beyond.isoformat())])

    assert violated_fields(refused) == ["milestones[0].occurred_at"]


def test_milestones_of_an_unknown_agreement_are_not_found(app: LedgerApplication) -> None:
    with pytest.raises(NotFoundError):
        app.cases.record("nobody", [opened("2026-01-05T10:00:00+00:00")])


def test_a_batch_larger_than_the_limit_is_refused_before_anything_is_read(
    app: LedgerApplication,
) -> None:
    batch = [opened("2026-01-05T10:00:00+00:00", f"T-{i}") for i in range(MAX_CASE_BATCH + 1)]

    with pytest.raises(InvalidArgumentError) as refused:
        app.cases.record("a-1", batch)

    assert violated_fields(refused) == ["milestones"]


def test_the_largest_batch_is_recorded_in_one_call(app: LedgerApplication) -> None:
    start = at("2026-01-05T09:00:00+00:00")
    batch = [
        Milestone(f"T-{i}", MilestoneKind.OPENED, start + i * 1000) for i in range(MAX_CASE_BATCH)
    ]

    recorded = app.cases.record("a-1", batch)

    assert recorded.new == MAX_CASE_BATCH
    assert len(app.event_log.case_rows("a-1", limit=MAX_CASE_BATCH + 1)) == MAX_CASE_BATCH


def _record_case_with_response(app: LedgerApplication, clock: SettableClock) -> datetime:
    """T-1 opened at 10:00 and recorded at NOW (11:00); resolved at 11:30, recorded at 12:00.
    Returns when the first batch was recorded."""
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00", priority="P1")])
    first_recorded = clock.now
    clock.now = NOW + timedelta(hours=1)
    app.cases.record("a-1", [_resolved("2026-01-05T11:30:00+00:00")])
    return first_recorded


def test_a_case_as_of_before_its_resolution_shows_its_clock_running(
    app: LedgerApplication, clock: SettableClock
) -> None:
    _record_case_with_response(app, clock)

    view = app.cases.get_case(
        "a-1", "T-1", datetime(2026, 1, 5, 11, 0, tzinfo=UTC), clock.now, at_risk_percent=75
    )

    # Opened 10:00, 4 hours all hours: due 14:00, at risk (75%, 3 hours) from 13:00.
    [reading] = view.clocks
    assert (view.state, view.labels, [m.milestone.kind for m in view.milestones]) == (
        "open",
        {"priority": "P1"},
        [MilestoneKind.OPENED],
    )
    assert _clock(reading) == (
        ClockState.RUNNING,
        HOUR_US,
        at("2026-01-05T14:00:00+00:00"),
        at("2026-01-05T13:00:00+00:00"),
    )


def test_a_case_as_known_before_its_resolution_was_recorded_is_still_open(
    app: LedgerApplication, clock: SettableClock
) -> None:
    first_recorded = _record_case_with_response(app, clock)
    as_of = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    before = app.cases.get_case("a-1", "T-1", as_of, first_recorded, at_risk_percent=75)
    after = app.cases.get_case("a-1", "T-1", as_of, clock.now, at_risk_percent=75)

    assert (before.state, before.clocks[0].state, before.clocks[0].elapsed_us) == (
        "open",
        ClockState.RUNNING,
        2 * HOUR_US,
    )
    assert (after.state, after.clocks[0].state, after.clocks[0].elapsed_us) == (
        "resolved",
        ClockState.MET,
        HOUR_US + HOUR_US // 2,
    )
    assert after.milestones[-1].recorded_at == clock.now


def test_an_unknown_case_is_not_found(app: LedgerApplication, clock: SettableClock) -> None:
    with pytest.raises(NotFoundError):
        app.cases.get_case("a-1", "T-404", NOW, clock.now, at_risk_percent=75)


def test_a_case_not_recorded_by_known_at_is_not_found(
    app: LedgerApplication, clock: SettableClock
) -> None:
    recorded_at = clock.now
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])

    with pytest.raises(NotFoundError):
        app.cases.get_case("a-1", "T-1", NOW, recorded_at - timedelta(seconds=1), 75)


def _clock(reading: ClockReading) -> tuple[ClockState, int, int | None, int | None]:
    return reading.state, reading.elapsed_us, reading.due_at_us, reading.at_risk_at_us


def test_recorded_milestones_decode_as_case_events(app: LedgerApplication) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00", priority="P2")])

    [event] = [
        e for e in app.event_log.agreement_events("a-1") if isinstance(e, CaseMilestoneRecorded)
    ]

    assert (event.case_id, event.labels, event.late) == ("T-1", {"priority": "P2"}, False)


def test_a_terminated_agreement_still_takes_milestones_as_it_takes_readings(
    app: LedgerApplication,
) -> None:
    app.commands.terminate_agreement("a-1", datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    recorded = app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])

    assert recorded.new == 1


def test_the_same_batch_sent_at_once_is_recorded_once(app: LedgerApplication) -> None:
    batch = [opened("2026-01-05T10:00:00+00:00")]

    results, errors = run_concurrently([lambda: app.cases.record("a-1", batch)] * 4)

    assert errors == []
    assert sorted((r.new, r.duplicates) for r in results) == [(0, 1)] * 3 + [(1, 0)]
    assert len(app.event_log.case_events("a-1", ["T-1"])["T-1"]) == 1


def test_batches_of_one_case_sent_at_once_all_land_and_its_index_row_holds_them_all(
    app: LedgerApplication,
) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])
    pause = milestone(MilestoneKind.PAUSED, "2026-01-05T10:10:00+00:00", reason="other")
    resolution = _resolved("2026-01-05T10:40:00+00:00")

    results, errors = run_concurrently(
        [lambda: app.cases.record("a-1", [pause]), lambda: app.cases.record("a-1", [resolution])]
    )

    assert errors == []
    assert [r.new for r in results] == [1, 1]
    [row] = app.event_log.case_rows("a-1")
    assert (row.settled, row.last_at_us) == (True, resolution.occurred_at_us)
    versions = [
        e.event.originator_version for e in app.event_log.case_events("a-1", ["T-1"])["T-1"]
    ]
    assert versions == [1, 2, 3]


def test_a_batch_that_meets_a_concurrent_writer_of_its_case_is_judged_again(
    app: LedgerApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.cases.record("a-1", [opened("2026-01-05T10:00:00+00:00")])
    pause = milestone(MilestoneKind.PAUSED, "2026-01-05T10:10:00+00:00", reason="other")
    read = app.event_log.case_events
    reads = 0

    def read_then_let_another_writer_in(*args: Any) -> Any:
        nonlocal reads
        reads += 1
        found = read(*args)
        if reads == 1:  # another call records a pause between this read and the save
            app.cases.record("a-1", [pause])
        return found

    monkeypatch.setattr(app.event_log, "case_events", read_then_let_another_writer_in)

    recorded = app.cases.record("a-1", [_resolved("2026-01-05T10:40:00+00:00")])

    assert (recorded.new, reads) == (1, 3)
    kinds = [e.event.kind for e in read("a-1", ["T-1"])["T-1"]]
    assert kinds == ["opened", "paused", "resolved"]


def test_a_case_shows_the_clock_of_each_objective_whose_scope_holds_it(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    p1 = case_objective("p1-resolution", hours=4, scope={"priority": "P1"})
    p2 = case_objective("p2-resolution", hours=8, scope={"priority": "P2"})
    app.commands.sign_agreement("a-2", make_terms(time_zone="UTC", objectives=(p1, p2)), SIGNED_AT)
    app.cases.record(
        "a-2",
        [
            opened("2026-01-05T09:00:00+00:00", "T-1", priority="P1"),
            opened("2026-01-05T09:00:00+00:00", "T-2", priority="P2"),
        ],
    )
    as_of = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    first = app.cases.get_case("a-2", "T-1", as_of, clock.now, 75)
    second = app.cases.get_case("a-2", "T-2", as_of, clock.now, 75)

    # Opened 09:00: the P1 clock is due at 13:00, the P2 clock at 17:00.
    assert [(c.objective_id, c.due_at_us) for c in first.clocks] == [
        ("p1-resolution", at("2026-01-05T13:00:00+00:00"))
    ]
    assert [(c.objective_id, c.due_at_us) for c in second.clocks] == [
        ("p2-resolution", at("2026-01-05T17:00:00+00:00"))
    ]
