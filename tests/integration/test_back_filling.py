"""Back-filling: the background closer gives a newly recorded agreement (or amendment) the close
grace to receive its history before it closes its past periods. On SQLite and PostgreSQL.

The agreement runs from 1 January 2026 (monthly availability, Europe/Berlin) and is recorded on
1 June 2026 at 12:00 UTC; the grace is one hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.compliance import Status
from domain.period_results import PeriodClosed
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from service.workers.period_closer import PeriodCloser
from tests.clocks import SettableClock

RECORDED = datetime(2026, 6, 1, 12, tzinfo=UTC)
GRACE = timedelta(hours=1)
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
PAST_MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(RECORDED)


@pytest.fixture
def app(database_url: str, clock: SettableClock) -> Iterator[LedgerApplication]:
    storage = parse_database_url(database_url)
    application = open_application(storage, clock=clock)
    yield application
    application.close()


@pytest.fixture
def signed(app: LedgerApplication, make_terms: Any) -> str:
    app.commands.sign_agreement("acme-1", make_terms(), JANUARY)
    return "acme-1"


@pytest.fixture
def closer(app: LedgerApplication, clock: SettableClock) -> PeriodCloser:
    return PeriodCloser(app, clock, GRACE, 60.0)


def closed(app: LedgerApplication, agreement_id: str) -> dict[str, PeriodClosed]:
    return {
        e.period_label: e
        for e in app.event_log.agreement_events(agreement_id)
        if isinstance(e, PeriodClosed)
    }


def test_the_closer_leaves_a_newly_recorded_agreement_alone_within_the_grace(
    app: LedgerApplication, closer: PeriodCloser, signed: str, clock: SettableClock
) -> None:
    clock.now = RECORDED + GRACE - timedelta(seconds=1)

    appended = closer.run_once()

    assert (appended, closed(app, signed)) == (0, {})


def test_history_back_filled_within_the_grace_is_not_late_and_is_judged_at_close(
    app: LedgerApplication,
    closer: PeriodCloser,
    signed: str,
    clock: SettableClock,
    make_readings: Any,
) -> None:
    clock.now = RECORDED + timedelta(minutes=10)
    closer.run_once()
    clock.now = RECORDED + timedelta(minutes=40)
    batch = app.ingest.record_measurements(signed, make_readings(60, start=JANUARY))
    clock.now = RECORDED + GRACE

    closer.run_once()

    assert batch.late_count == 0
    periods = closed(app, signed)
    assert sorted(periods) == PAST_MONTHS
    assert periods["2026-01"].status != Status.NO_DATA.value
    assert periods["2026-02"].status == Status.NO_DATA.value


def test_an_explicit_close_is_not_held_for_newly_recorded_terms(
    app: LedgerApplication, signed: str
) -> None:
    app.commands.close_periods(signed, RECORDED)

    assert sorted(closed(app, signed)) == PAST_MONTHS


def test_an_amendment_holds_the_agreement_again_for_the_grace(
    app: LedgerApplication,
    closer: PeriodCloser,
    signed: str,
    clock: SettableClock,
    make_terms: Any,
) -> None:
    clock.now = RECORDED + GRACE
    closer.run_once()
    clock.now = datetime(2026, 7, 1, 6, tzinfo=UTC)  # June has ended more than the grace ago
    app.commands.amend_agreement(signed, make_terms(), datetime(2026, 7, 1, tzinfo=UTC))
    clock.now += timedelta(minutes=30)

    closer.run_once()
    held = sorted(closed(app, signed))
    clock.now += timedelta(minutes=30)
    closer.run_once()

    assert held == PAST_MONTHS
    assert sorted(closed(app, signed)) == [*PAST_MONTHS, "2026-06"]
