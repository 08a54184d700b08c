"""Closing a bounded amount per call: by periods, by readings read, and in the background
closer, which comes back to an agreement with more due after the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.period_results import PeriodClosed
from domain.terms import Objective, PeriodUnit
from service.app.application import LedgerApplication
from service.app.closing_plans import plan_close
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from service.workers.period_closer import PeriodCloser

START = datetime(2023, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # 1,247 daily and 41 monthly periods due by now


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    """An application on each backend in turn, its clock at NOW."""
    storage = parse_database_url(database_url)
    application = open_application(storage, clock=lambda: NOW)
    yield application
    application.close()


def _sign(
    app: LedgerApplication, make_terms: Callable[..., Any], agreement_id: str, unit: PeriodUnit
) -> None:
    objective = Objective("availability", "availability", Decimal("99.9"), unit)
    terms = make_terms(time_zone="UTC", term_start=START, objectives=(objective,))
    app.commands.sign_agreement(agreement_id, terms, START)


def test_a_close_stops_after_the_readings_it_may_read_and_says_more_are_due(
    app: LedgerApplication, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> None:
    _sign(app, make_terms, "acme-1", PeriodUnit.DAY)
    app.ingest.record_measurements("acme-1", make_readings(3 * 1440, start=START))
    agreement: Agreement = app.repository.get("agreement:acme-1")

    plan = plan_close(app.event_log, agreement, UNTIL, NOW, readings_budget=2000)

    assert (plan.closed_count, plan.more_due) == (1, True)
    assert isinstance(plan.events[0], PeriodClosed)


def test_the_closer_closes_every_due_period_of_an_agreement_with_years_to_catch_up(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign(app, make_terms, "acme-daily", PeriodUnit.DAY)
    # The agreements are recorded at NOW: the closer does not close them before (back-filling).
    closer = PeriodCloser(app, lambda: NOW, timedelta(0), 60)

    closer.run_once()

    closed = [
        e for e in app.event_log.agreement_events("acme-daily") if isinstance(e, PeriodClosed)
    ]
    assert len(closed) == len({e.period_label for e in closed}) == 1_247


def test_the_closer_closes_other_agreements_before_coming_back_for_more(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign(app, make_terms, "acme-daily", PeriodUnit.DAY)
    _sign(app, make_terms, "acme-monthly", PeriodUnit.MONTH)
    # The agreements are recorded at NOW: the closer does not close them before (back-filling).
    closer = PeriodCloser(app, lambda: NOW, timedelta(0), 60)

    closer.run_once()

    def positions(agreement_id: str) -> list[int]:
        found, after = [], 0
        while page := app.event_log.list_events(agreement_id, after, 1000):
            found += [e.position for e in page if isinstance(e.event, PeriodClosed)]
            after = page[-1].position
        return found

    daily, monthly = positions("acme-daily"), positions("acme-monthly")
    assert len(monthly) == 41
    assert max(monthly) < daily[1_000]  # between the daily agreement's first and second calls
