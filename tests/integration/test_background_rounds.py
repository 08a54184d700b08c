"""Background rounds isolate each agreement: one that fails is logged, backed off and retried,
and every other agreement is still closed on time in the same round. On SQLite and PostgreSQL.

The poisoned agreement has its term start in year 1 in America/New_York: closing it overflows
the calendar (year 0). The ledger's door may refuse such terms, but a log can already hold them,
so the test stores its AgreementSigned event as it is, past every check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.agreement import Agreement
from domain.identifiers import agreement_stream
from domain.period_results import PeriodClosed
from domain.terms import AgreementTerms, Party
from projections.backoff import Backoff
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from service.workers.background_rounds import AgreementRounds, Progress
from service.workers.period_closer import PeriodCloser
from tests.clocks import SettableClock

START = datetime(2026, 6, 1, tzinfo=UTC)
GRACE = timedelta(hours=1)
INTERVAL = 60.0
FIRST_RETRY = timedelta(seconds=INTERVAL)
CLOSED_MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
def app(database_url: str, clock: SettableClock) -> Iterator[LedgerApplication]:
    storage = parse_database_url(database_url)
    application = open_application(storage, clock=clock)
    yield application
    application.close()


def save_unchecked_agreement(
    app: LedgerApplication, agreement_id: str, terms: AgreementTerms, recorded_at: datetime
) -> None:
    """Store an AgreementSigned event as a log may hold it, past the door's checks."""
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


@pytest.fixture
def poisoned(app: LedgerApplication, make_terms: Any, clock: SettableClock) -> str:
    """An agreement of customer initech whose closing raises, signed first."""
    terms = make_terms(
        customer=Party("initech", "Initech"),
        time_zone="America/New_York",
        term_start=datetime(1, 1, 1, tzinfo=UTC),
    )
    save_unchecked_agreement(app, "initech-1", terms, clock.now)
    return "initech-1"


@pytest.fixture
def healthy(app: LedgerApplication, make_terms: Any, clock: SettableClock, poisoned: str) -> str:
    """An agreement of customer globex from 1 January 2026, signed after the poisoned one."""
    app.commands.sign_agreement("globex-1", make_terms(), clock.now)
    return "globex-1"


@pytest.fixture
def closer(app: LedgerApplication, clock: SettableClock, healthy: str) -> PeriodCloser:
    clock.now = START + 2 * GRACE  # the months to May have ended more than the grace ago
    return PeriodCloser(app, clock, GRACE, INTERVAL)


def closed_labels(app: LedgerApplication, agreement_id: str) -> list[str]:
    return sorted(
        e.period_label
        for e in app.event_log.agreement_events(agreement_id)
        if isinstance(e, PeriodClosed)
    )


def failures_logged(caplog: pytest.LogCaptureFixture, agreement_id: str) -> int:
    return sum(
        1
        for r in caplog.records
        if r.levelno == logging.ERROR and getattr(r, "agreement_id", None) == agreement_id
    )


def test_the_poisoned_agreement_fails_to_close_by_itself(
    app: LedgerApplication, poisoned: str, clock: SettableClock
) -> None:
    with pytest.raises(OverflowError):
        app.commands.close_periods(poisoned, clock.now - GRACE)


def test_a_failing_agreement_does_not_stop_a_round_closing_the_agreements_signed_after_it(
    app: LedgerApplication, closer: PeriodCloser, healthy: str
) -> None:
    appended = closer.run_once()

    assert closed_labels(app, healthy) == CLOSED_MONTHS
    assert appended >= len(CLOSED_MONTHS)


def test_a_failing_agreement_is_logged_with_its_id_and_error(
    closer: PeriodCloser, poisoned: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sla_ledger.period_closer"):
        closer.run_once()

    [failure] = [r for r in caplog.records if getattr(r, "agreement_id", None) == poisoned]
    assert failure.levelno == logging.ERROR
    assert failure.exc_info is not None and failure.exc_info[0] is OverflowError
    assert failure.__dict__["retry_in_seconds"] == INTERVAL


def test_a_failing_agreement_is_listed_with_its_next_retry(
    closer: PeriodCloser, poisoned: str, clock: SettableClock
) -> None:
    closer.run_once()

    [failing] = closer.failing()
    assert (failing.agreement_id, failing.failures) == (poisoned, 1)
    assert failing.retry_at == clock.now + FIRST_RETRY
    assert failing.error.startswith("OverflowError")


def test_a_failing_agreement_is_retried_only_after_its_backoff_which_doubles(
    closer: PeriodCloser, poisoned: str, clock: SettableClock, caplog: pytest.LogCaptureFixture
) -> None:
    first = clock.now
    tried = []
    for offset in (0, 30, 60, 120, 179, 180):  # the delays: 60 s after the 1st, 120 s after the 2nd
        clock.now = first + timedelta(seconds=offset)
        closer.run_once()
        tried.append(failures_logged(caplog, poisoned))

    assert tried == [1, 1, 2, 2, 2, 3]
    assert closer.failing()[0].retry_at == first + timedelta(seconds=180 + 4 * INTERVAL)


def test_a_failing_agreement_does_not_hold_up_periods_of_others_that_end_while_it_backs_off(
    app: LedgerApplication, closer: PeriodCloser, healthy: str, clock: SettableClock
) -> None:
    closer.run_once()
    clock.now = datetime(2026, 7, 1, 2, tzinfo=UTC)

    closer.run_once()

    assert closed_labels(app, healthy) == [*CLOSED_MONTHS, "2026-06"]


def test_the_backoff_doubles_from_the_round_interval_up_to_its_cap() -> None:
    backoff = Backoff(timedelta(minutes=1), timedelta(hours=1))

    delays = [backoff.after(failures) for failures in (1, 2, 3, 6, 7, 10_000)]

    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 32, 60, 60)]


def test_an_agreement_whose_work_succeeds_again_leaves_the_backoff(
    app: LedgerApplication, healthy: str, clock: SettableClock
) -> None:
    broken = {healthy}

    def work(agreement_id: str, now: datetime) -> Progress:
        if agreement_id in broken:
            raise RuntimeError("not yet")
        return Progress(1)

    rounds = AgreementRounds("test-worker", app, work, clock, INTERVAL)
    rounds.run_once()
    broken.clear()
    clock.now += FIRST_RETRY

    done = rounds.run_once()

    assert rounds.failing() == []
    assert done == 2  # the poisoned agreement and the healthy one, each worked once


def test_a_round_stops_without_backoff_when_the_storage_does_not_answer(
    app: LedgerApplication, healthy: str, poisoned: str, clock: SettableClock
) -> None:
    worked: list[str] = []

    def work(agreement_id: str, now: datetime) -> Progress:
        worked.append(agreement_id)
        app.close()  # the storage goes away under the first agreement
        raise RuntimeError("connection lost")

    rounds = AgreementRounds("test-worker", app, work, clock, INTERVAL)

    rounds.run_once()

    assert worked == [poisoned]
    assert rounds.failing() == []


def test_a_round_in_which_an_agreement_fails_is_reported_as_failed(closer: PeriodCloser) -> None:
    rounds: list[tuple[str, bool]] = []
    closer.observe(lambda worker, failed: rounds.append((worker, failed)))

    closer.run_once()

    assert rounds == [("period-closer", True)]


def test_a_round_whose_work_all_succeeds_is_reported_as_not_failed(
    app: LedgerApplication, healthy: str, clock: SettableClock
) -> None:
    rounds: list[tuple[str, bool]] = []
    worker = AgreementRounds("test-worker", app, lambda _a, _n: Progress(0), clock, INTERVAL)
    worker.observe(lambda name, failed: rounds.append((name, failed)))

    worker.run_once()

    assert rounds == [("test-worker", False)]


def test_a_round_stopped_because_the_storage_does_not_answer_is_reported_as_failed(
    app: LedgerApplication, healthy: str, clock: SettableClock
) -> None:
    def work(agreement_id: str, now: datetime) -> Progress:
        app.close()
        raise RuntimeError("connection lost")

    rounds: list[tuple[str, bool]] = []
    worker = AgreementRounds("test-worker", app, work, clock, INTERVAL)
    worker.observe(lambda name, failed: rounds.append((name, failed)))

    worker.run_once()

    assert rounds == [("test-worker", True)]
