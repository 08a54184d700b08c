"""The case index: written with the milestones it indexes, replaced per append, read through the
EventLog (candidates for a window, pages of rows, the case streams in one read)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from domain.case_milestones import CaseMilestoneRecorded, Milestone, MilestoneKind
from domain.identifiers import case_stream
from domain.instants import to_epoch_us
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.case_index import CaseRow, case_row
from service.store.ledger_recorder import AppendExtras
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = 3_600_000_000
T0 = to_epoch_us(datetime(2026, 5, 1, tzinfo=UTC))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(NOW)


@pytest.fixture
def app(database_url: str, clock: SettableClock) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    yield application
    application.close()


def _append(
    app: LedgerApplication, case_id: str, milestones: Sequence[Milestone], agreement: str = "a-1"
) -> CaseRow:
    """Append milestones to a case's stream with its index row, as the application does."""
    known = app.event_log.case_events(agreement, [case_id]).get(case_id, [])
    recorded = [(e.event.milestone(), to_epoch_us(e.event.timestamp)) for e in known]
    now = app.now()
    events = [
        CaseMilestoneRecorded(
            originator_id=case_stream(agreement, case_id),
            originator_version=len(known) + 1 + i,
            timestamp=now,
            agreement_id=agreement,
            case_id=case_id,
            kind=m.kind.value,
            occurred_at_us=m.occurred_at_us,
            milestone_id=m.milestone_id,
            labels=m.labels,
            reason=m.reason,
        )
        for i, m in enumerate(milestones)
    ]
    row = case_row(agreement, case_id, [*recorded, *((m, to_epoch_us(now)) for m in milestones)])
    app.save(*events, extras=AppendExtras(case_rows=[row]))
    return row


def _opened(case_id: str, at: int) -> Milestone:
    return Milestone(case_id, MilestoneKind.OPENED, at, labels={"priority": "P1"})


def _resolved(case_id: str, at: int) -> Milestone:
    return Milestone(case_id, MilestoneKind.RESOLVED, at)


def test_each_append_replaces_the_row_of_the_cases_it_touches(app: LedgerApplication) -> None:
    _append(app, "c-1", [_opened("c-1", T0)])
    _append(app, "c-1", [_resolved("c-1", T0 + HOUR)])

    [row] = app.event_log.case_rows("a-1")

    assert row == CaseRow("a-1", "c-1", T0, T0 + HOUR, True, to_epoch_us(NOW))


def test_a_reopened_case_is_no_longer_settled(app: LedgerApplication) -> None:
    _append(app, "c-1", [_opened("c-1", T0), _resolved("c-1", T0 + HOUR)])
    _append(app, "c-1", [Milestone("c-1", MilestoneKind.REOPENED, T0 + 2 * HOUR)])

    [row] = app.event_log.case_rows("a-1")

    assert (row.settled, row.settled_recorded_at_us, row.last_at_us) == (False, None, T0 + 2 * HOUR)


def test_a_case_settled_before_the_window_is_no_candidate_once_known(
    app: LedgerApplication,
) -> None:
    _append(app, "c-1", [_opened("c-1", T0), _resolved("c-1", T0 + HOUR)])
    start, cutoff = T0 + 2 * HOUR, T0 + 10 * HOUR

    known = app.event_log.case_ids("a-1", start, cutoff, to_epoch_us(NOW))
    before_it_settled = app.event_log.case_ids("a-1", start, cutoff, to_epoch_us(NOW) - 1)

    assert (known, before_it_settled) == ([], ["c-1"])


def test_open_cases_and_cases_settled_in_the_window_are_candidates(
    app: LedgerApplication,
) -> None:
    _append(app, "open", [_opened("open", T0)])
    _append(app, "late", [_opened("late", T0), _resolved("late", T0 + 3 * HOUR)])
    _append(app, "early", [_opened("early", T0), _resolved("early", T0 + HOUR)])

    found = app.event_log.case_ids("a-1", T0 + 2 * HOUR, T0 + 10 * HOUR, to_epoch_us(NOW))

    assert found == ["late", "open"]


def test_a_case_opened_at_the_cutoff_is_no_candidate(app: LedgerApplication) -> None:
    _append(app, "c-1", [_opened("c-1", T0 + 10 * HOUR)])

    assert app.event_log.case_ids("a-1", T0, T0 + 10 * HOUR, to_epoch_us(NOW)) == []
    assert app.event_log.case_ids("a-1", T0, T0 + 10 * HOUR + 1, to_epoch_us(NOW)) == ["c-1"]


def test_candidates_are_read_a_page_at_a_time_in_id_order(app: LedgerApplication) -> None:
    for case_id in ("c-3", "c-1", "c-2"):
        _append(app, case_id, [_opened(case_id, T0)])
    log = app.event_log

    first = log.case_ids("a-1", T0, T0 + HOUR, to_epoch_us(NOW), limit=2)
    second = log.case_ids("a-1", T0, T0 + HOUR, to_epoch_us(NOW), after=first[-1], limit=2)

    assert (first, second) == (["c-1", "c-2"], ["c-3"])


def test_the_index_keeps_agreements_apart(app: LedgerApplication) -> None:
    _append(app, "c-1", [_opened("c-1", T0)], agreement="a-1")
    _append(app, "c-2", [_opened("c-2", T0)], agreement="a-2")

    assert [r.case_id for r in app.event_log.case_rows("a-2")] == ["c-2"]


def test_case_events_reads_each_named_case_in_record_order(
    app: LedgerApplication, clock: SettableClock
) -> None:
    _append(app, "c-1", [_opened("c-1", T0), _resolved("c-1", T0 + HOUR)])
    clock.now += timedelta(seconds=1)
    _append(app, "c-2", [_opened("c-2", T0)])

    found = app.event_log.case_events("a-1", ["c-1", "c-2", "c-9"])

    assert {case_id: [e.event.kind for e in events] for case_id, events in found.items()} == {
        "c-1": ["opened", "resolved"],
        "c-2": ["opened"],
    }


def test_an_agreements_events_include_its_case_streams(app: LedgerApplication) -> None:
    _append(app, "c-1", [_opened("c-1", T0)])
    _append(app, "c-1", [_opened("c-1", T0)], agreement="a-10")

    events = app.event_log.agreement_events("a-1")

    assert [type(e).__name__ for e in events] == ["CaseMilestoneRecorded"]
