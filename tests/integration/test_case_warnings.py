"""The case warner on SQLite and PostgreSQL: a round appends each warning once, a second round or
a second worker appends nothing, two racing writers append once, a failing agreement does not
stop another, and a breach back-filled beyond the horizon raises nothing.

Agreement globex-1 (UTC) has a 4 h resolution objective; its case T-1 opens Monday 2026-01-05
10:00 UTC: at risk (75%) at 13:00, due at 14:00.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.agreement import Agreement
from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded, MilestoneKind
from domain.identifiers import agreement_stream, case_stream, case_warning_stream
from domain.instants import to_epoch_us
from domain.terms import Party
from service.app.actors import CASE_WARNER
from service.app.application import LedgerApplication
from service.app.case_warnings import CaseWarnings
from service.bootstrap import open_application
from service.store.case_index import case_row
from service.store.ledger_recorder import AppendExtras
from service.store.storage import parse_database_url
from service.workers.case_warnings import CaseWarner
from tests.clocks import SettableClock
from tests.unit.cases.timelines import OFFICE_HOURS, case_objective, milestone, opened

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
OPENED_AT = datetime(2026, 1, 5, 10, tzinfo=UTC)
AT_RISK = datetime(2026, 1, 5, 13, tzinfo=UTC)
DUE = datetime(2026, 1, 5, 14, tzinfo=UTC)
INTERVAL = 5.0


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(OPENED_AT)


@pytest.fixture
def app(
    database_url: str, clock: SettableClock, make_terms: Callable[..., Any]
) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    terms = make_terms(time_zone="UTC", objectives=(case_objective("resolution", hours=4),))
    application.commands.sign_agreement("globex-1", terms, SIGNED_AT)
    application.cases.record("globex-1", [opened("2026-01-05T10:00:00+00:00")])
    yield application
    application.close()


@pytest.fixture
def warner(app: LedgerApplication, clock: SettableClock) -> CaseWarner:
    return CaseWarner(app, clock, INTERVAL, 75)


def warnings_of(app: LedgerApplication, agreement_id: str, case_id: str) -> list[tuple[Any, ...]]:
    """(version, warning, reached, due) of each warning of the case, in log order."""
    stream = case_warning_stream(agreement_id, case_id)
    return [
        (e.originator_version, e.warning, e.reached_at_us, e.due_at_us)
        for _, e in app.event_log.stream_events({stream}, app.event_log.head())
        if isinstance(e, CaseClockWarned)
    ]


def test_rounds_append_the_at_risk_warning_then_the_breach_once_each(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock
) -> None:
    clock.now = AT_RISK
    at_risk = warner.run_once()
    clock.now = DUE
    breached = warner.run_once()

    assert (at_risk, breached) == (1, 1)
    due = to_epoch_us(DUE)
    assert warnings_of(app, "globex-1", "T-1") == [
        (1, "at_risk", to_epoch_us(AT_RISK), due),
        (2, "breached", due, due),
    ]


def test_a_warning_is_recorded_by_the_case_warner_at_the_rounds_time(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock
) -> None:
    clock.now = AT_RISK + timedelta(minutes=5)
    warner.run_once()

    [(_, event)] = app.event_log.stream_events(
        {case_warning_stream("globex-1", "T-1")}, app.event_log.head()
    )
    assert (event.timestamp, event.actor) == (clock.now, CASE_WARNER)


def test_a_second_round_appends_nothing(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock
) -> None:
    clock.now = DUE
    warner.run_once()

    assert warner.run_once() == 0
    assert len(warnings_of(app, "globex-1", "T-1")) == 1


def test_a_second_worker_on_the_same_ledger_appends_nothing(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock, database_url: str
) -> None:
    clock.now = AT_RISK
    warner.run_once()
    replica = open_application(parse_database_url(database_url), clock=clock)
    try:
        appended = CaseWarner(replica, clock, INTERVAL, 75).run_once()
    finally:
        replica.close()

    assert appended == 0
    assert len(warnings_of(app, "globex-1", "T-1")) == 1


def test_a_writer_that_read_before_another_appended_gives_way_on_the_stream_version(
    app: LedgerApplication, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = AT_RISK
    first = CaseWarnings(app).raise_due("globex-1", 75)
    late_reader = CaseWarnings(app)
    monkeypatch.setattr(late_reader, "_raised", lambda agreement_id, case_ids: {})

    second = late_reader.raise_due("globex-1", 75)

    assert (len(first.appended), len(second.appended), second.conflicts) == (1, 0, 1)
    assert len(warnings_of(app, "globex-1", "T-1")) == 1


def test_a_round_reads_a_bounded_page_of_cases_and_goes_on_with_the_rest(
    app: LedgerApplication, clock: SettableClock
) -> None:
    app.cases.record(
        "globex-1", [opened("2026-01-05T10:00:00+00:00", f"T-{n}") for n in range(2, 6)]
    )
    clock.now = AT_RISK
    warnings = CaseWarnings(app)

    page = warnings.raise_due("globex-1", 75, limit=2)
    rounds = CaseWarner(app, clock, INTERVAL, 75, cases_per_call=2).run_once()

    assert (len(page.appended), page.next_after) == (2, "T-2")
    assert rounds == 3  # T-3, T-4 and T-5, over three calls in the one round


def test_a_breach_older_than_the_horizon_is_not_warned(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock
) -> None:
    clock.now = DUE + timedelta(hours=24, microseconds=1)

    assert warner.run_once() == 0


def test_a_case_resolved_in_time_is_not_warned_breached(
    app: LedgerApplication, warner: CaseWarner, clock: SettableClock
) -> None:
    clock.now = AT_RISK
    warner.run_once()
    clock.now = datetime(2026, 1, 5, 13, 30, tzinfo=UTC)
    app.cases.record("globex-1", [milestone(MilestoneKind.RESOLVED, "2026-01-05T13:30:00+00:00")])
    clock.now = DUE + timedelta(hours=1)

    assert warner.run_once() == 0
    assert [w[1] for w in warnings_of(app, "globex-1", "T-1")] == ["at_risk"]


def _store_poisoned_case(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    """Agreement initech-1 with a case opened in year 1 on New York office hours: reading its
    clock overflows the calendar. Stored as a log may hold it, past the door's checks."""
    poisoned_terms = make_terms(
        customer=Party("initech", "Initech"),
        time_zone="America/New_York",
        term_start=datetime(1, 1, 1, tzinfo=UTC),
        objectives=(case_objective("resolution", hours=4, schedule=OFFICE_HOURS),),
    )
    app.save(
        Agreement.Signed(
            originator_id=agreement_stream("initech-1"),
            originator_version=1,
            timestamp=clock.now,
            originator_topic=get_topic(Agreement),
            agreement_id="initech-1",
            terms=poisoned_terms,
            signed_at=clock.now,
        )
    )
    case = opened("0001-01-01T01:00:00+00:00")
    event = CaseMilestoneRecorded(
        originator_id=case_stream("initech-1", "T-1"),
        originator_version=1,
        timestamp=clock.now,
        agreement_id="initech-1",
        case_id="T-1",
        kind=case.kind.value,
        occurred_at_us=case.occurred_at_us,
        milestone_id="",
        labels=None,
        reason="",
    )
    row = case_row("initech-1", "T-1", [(case, to_epoch_us(clock.now))])
    app.save(event, extras=AppendExtras(case_rows=[row]))


def test_a_failing_agreement_is_logged_with_its_id_and_does_not_stop_those_after_it(
    app: LedgerApplication,
    warner: CaseWarner,
    clock: SettableClock,
    caplog: pytest.LogCaptureFixture,
    make_terms: Callable[..., Any],
) -> None:
    _store_poisoned_case(app, clock, make_terms)
    terms = make_terms(time_zone="UTC", objectives=(case_objective("resolution", hours=4),))
    app.commands.sign_agreement("hooli-1", terms, SIGNED_AT)  # signed after the poisoned one
    app.cases.record("hooli-1", [opened("2026-01-05T10:00:00+00:00")])
    clock.now = AT_RISK

    with caplog.at_level(logging.INFO, logger="sla_ledger.case_warner"):
        appended = warner.run_once()

    assert appended == 2
    assert [w[1] for w in warnings_of(app, "hooli-1", "T-1")] == ["at_risk"]
    [failure] = [r for r in caplog.records if getattr(r, "agreement_id", None) == "initech-1"]
    assert failure.levelno == logging.ERROR
    assert failure.exc_info is not None and failure.exc_info[0] is OverflowError
    assert [f.agreement_id for f in warner.failing()] == ["initech-1"]


def test_the_poisoned_case_fails_to_be_read_by_itself(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    _store_poisoned_case(app, clock, make_terms)

    with pytest.raises(OverflowError):
        CaseWarnings(app).raise_due("initech-1", 75)


def test_a_case_is_not_read_again_before_a_warning_can_fall_due(
    app: LedgerApplication, clock: SettableClock
) -> None:
    warnings = CaseWarnings(app)
    reads = []
    for hour in (11, 12, 13):
        clock.now = datetime(2026, 1, 5, hour, tzinfo=UTC)
        raised = warnings.raise_due("globex-1", 75)
        reads.append((raised.read, len(raised.appended)))

    assert reads == [(1, 0), (0, 0), (1, 1)]  # the share is passed at 13:00


def test_a_case_with_a_new_milestone_is_read_again(
    app: LedgerApplication, clock: SettableClock
) -> None:
    warnings = CaseWarnings(app)
    clock.now = datetime(2026, 1, 5, 11, tzinfo=UTC)
    warnings.raise_due("globex-1", 75)
    clock.now = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
    app.cases.record(
        "globex-1",
        [milestone(MilestoneKind.PAUSED, "2026-01-05T11:30:00+00:00", reason="awaiting_customer")],
    )

    assert warnings.raise_due("globex-1", 75).read == 1


def test_a_round_replays_only_the_agreements_that_have_cases_to_judge(
    app: LedgerApplication,
    warner: CaseWarner,
    clock: SettableClock,
    make_terms: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for number in range(3):
        app.commands.sign_agreement(f"caseless-{number}", make_terms(), SIGNED_AT)
    replayed: list[str] = []
    find_agreement = app.agreements.find_agreement

    def counted(agreement_id: str) -> Agreement | None:
        replayed.append(agreement_id)
        return find_agreement(agreement_id)

    monkeypatch.setattr(app.agreements, "find_agreement", counted)
    clock.now = AT_RISK
    warner.run_once()

    assert replayed == ["globex-1"]
