"""Closing a service SLA's periods for its subscribers (SQLite and PostgreSQL): each on its own
tier and fee, a bounded number a call, oldest first, and the periods that what is recorded after
a close changes (a backdated subscription, a tier change, an end, an amendment, a termination)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from domain.terms import Party, PeriodUnit
from service.app.application import LedgerApplication
from service.app.service_closing import plan_service_close
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from service.workers.period_closer import PeriodCloser
from tests.integration.service_histories import (
    FEES,
    NOW,
    SERVICE,
    SIGNED_AT,
    StridingClock,
    TierSpec,
    apply_step,
    content,
    expected_closes,
    service_terms,
)

MONTHLY: TierSpec = {
    "basic": {"a": (PeriodUnit.MONTH, "99", None)},
    "premium": {"a": (PeriodUnit.MONTH, "99.9", None)},
}
# Premium judges a second objective; basic judges "a" monthly and "b" weekly.
WEEKS: TierSpec = {
    "basic": {"a": (PeriodUnit.MONTH, "99", None), "b": (PeriodUnit.WEEK, "99", None)},
    "premium": {"a": (PeriodUnit.MONTH, "99.9", None)},
}
EXTRA: TierSpec = {
    "basic": {"a": (PeriodUnit.MONTH, "99", None)},
    "premium": {"a": (PeriodUnit.MONTH, "99.9", None), "b": (PeriodUnit.WEEK, "99", 2)},
}


@pytest.fixture
def clock() -> StridingClock:
    return StridingClock(stride=timedelta(minutes=11))


@pytest.fixture
def app(database_url: str, clock: StridingClock) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    yield application
    application.close()


def _sign(app: LedgerApplication, tiers: TierSpec) -> None:
    app.commands.sign_agreement(SERVICE, service_terms("UTC", tiers), SIGNED_AT)


def _subscribe(app: LedgerApplication, customer_id: str, tier_id: str, day: int = 0) -> None:
    start = SIGNED_AT + timedelta(days=day)
    app.subscriptions.subscribe(SERVICE, Party(customer_id), tier_id, FEES[tier_id], start, None)


def _hourly(app: LedgerApplication, days: int, bad_every: int | None = 20) -> None:
    """Hourly readings from the start, one in bad_every bad (99.5%: basic met, premium not)."""
    apply_step(app, "series", (timedelta(0), 24 * days, bad_every, ""), 0)


def _close_all(app: LedgerApplication, day: int, limit: int | None = None) -> list[Any]:
    until = SIGNED_AT + timedelta(days=day)
    events: list[Any] = []
    while True:
        closed = app.commands.close_periods(SERVICE, until, limit=limit)
        events.extend(logged.event for logged in closed.events)
        if not closed.more_due:
            return events


def _check_close(app: LedgerApplication, day: int, limit: int | None = None) -> list[Any]:
    """Close everything due by day; the events, checked against closing each subscriber's
    view of the whole history."""
    expected = expected_closes(app, SIGNED_AT + timedelta(days=day))
    events = _close_all(app, day, limit)
    appended: dict[str, list[Any]] = {customer_id: [] for customer_id in expected}
    for event in events:
        appended[event.customer_id].append(content(event))
    assert appended == expected
    return events


def test_each_subscriber_is_judged_on_its_tier_and_credited_on_its_fee(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    _subscribe(app, "initech", "premium")
    _hourly(app, 31)

    events = _check_close(app, 31)

    kinds = {(e.customer_id, type(e).__name__) for e in events}
    assert kinds == {
        ("globex", "PeriodClosed"),
        ("initech", "PeriodClosed"),
        ("initech", "BreachDetected"),
        ("initech", "CreditIssued"),
    }
    [credit] = [e for e in events if isinstance(e, CreditIssued)]
    assert credit.amount.amount == FEES["premium"].amount.amount / 10  # below 99.9: 10%
    assert {e.tier_id for e in events if isinstance(e, PeriodClosed)} == {"basic", "premium"}


def test_calls_close_at_most_limit_periods_oldest_first_until_none_is_due(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    for index in range(5):
        _subscribe(app, f"c{index}", "basic")
    until = SIGNED_AT + timedelta(days=59)  # January and February

    calls = []
    while True:
        closed = app.commands.close_periods(SERVICE, until, limit=3)
        calls.append((closed.closed_count, closed.more_due))
        labels = [e.event.period_label for e in closed.events]
        assert labels == sorted(labels)
        if not closed.more_due:
            break

    assert calls == [(3, True), (3, True), (3, True), (1, False)]
    assert app.commands.close_periods(SERVICE, until).closed_count == 0


def test_a_readings_budget_stops_a_close_after_the_first_window_read(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    _subscribe(app, "initech", "basic", day=40)
    _hourly(app, 59)
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    until = SIGNED_AT + timedelta(days=59)

    plan = plan_service_close(app.event_log, service, until, NOW, readings_budget=10)

    assert (plan.closed_count, plan.more_due) == (1, True)


def test_a_subscription_recorded_after_closes_gets_its_earlier_periods_closed(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    _check_close(app, 90)
    _subscribe(app, "initech", "premium")

    events = _check_close(app, 90)

    assert [e.period_label for e in events if isinstance(e, PeriodClosed)] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]


def test_a_subscription_recorded_while_a_close_was_planned_gets_its_earlier_periods_closed(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    until = SIGNED_AT + timedelta(days=90)
    plan = plan_service_close(app.event_log, service, until, app.now())
    _subscribe(app, "initech", "premium")  # after the plan read the log, before its save
    app.save_events(plan.events)

    events = _check_close(app, 90)

    assert {(e.customer_id, e.period_label) for e in events} == {
        ("initech", label) for label in ("2026-01", "2026-02", "2026-03")
    }


def test_a_tier_change_recorded_after_closes_gets_the_new_tiers_periods_closed(
    app: LedgerApplication,
) -> None:
    _sign(app, EXTRA)
    _subscribe(app, "globex", "basic")
    _subscribe(app, "initech", "basic")
    _hourly(app, 90, bad_every=3)
    _check_close(app, 90)
    effective = SIGNED_AT + timedelta(days=7)  # Thursday 8 January
    app.subscriptions.change_tier(SERVICE, "globex", "premium", FEES["premium"], effective)

    events = _check_close(app, 90)

    assert {e.objective_id for e in events} == {"b"}
    assert any(isinstance(e, BreachDetected) for e in events)


def test_an_amendment_recorded_after_closes_gets_the_periods_it_adds_closed(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    _check_close(app, 90)
    app.commands.amend_agreement(
        SERVICE, service_terms("UTC", WEEKS), SIGNED_AT + timedelta(days=14)
    )

    events = _check_close(app, 90)

    assert {e.objective_id for e in events} == {"b"}


@pytest.mark.parametrize("ending", ["subscription", "service"])
def test_an_end_recorded_after_closes_closes_the_period_it_cuts_short(
    app: LedgerApplication, ending: str
) -> None:
    _sign(app, WEEKS)
    _subscribe(app, "globex", "basic")
    _subscribe(app, "initech", "basic")
    _check_close(app, 50)  # the weeks to 16 February (the last closed from 9 February)
    end_at = SIGNED_AT + timedelta(days=35)  # 5 February, in a week closed, in February open
    if ending == "subscription":
        app.subscriptions.end(SERVICE, "initech", end_at)
    else:
        app.commands.terminate_agreement(SERVICE, end_at)

    events = _check_close(app, 50)

    february = [e for e in events if isinstance(e, PeriodClosed)]
    assert {(e.period_label, e.window_end) for e in february} == {("2026-02", end_at)}


def test_the_period_closer_closes_a_service_slas_subscribers(
    app: LedgerApplication, clock: StridingClock
) -> None:
    _sign(app, MONTHLY)
    _subscribe(app, "globex", "basic")
    _subscribe(app, "initech", "premium")
    clock.now += timedelta(hours=2)
    closer = PeriodCloser(app, clock, timedelta(hours=1), 60.0)

    closer.run_once()

    closed = [e for e in app.event_log.agreement_events(SERVICE) if isinstance(e, PeriodClosed)]
    assert {e.customer_id for e in closed} == {"globex", "initech"}
    assert app.commands.close_periods(SERVICE, clock.now - timedelta(hours=2)).closed_count == 0


def test_a_service_without_subscribers_closes_nothing(
    app: LedgerApplication,
) -> None:
    _sign(app, MONTHLY)

    closed = app.commands.close_periods(SERVICE, SIGNED_AT + timedelta(days=90))

    assert (closed.events, closed.more_due, closed.closed_count) == ([], False, 0)


def test_a_customer_based_agreement_still_closes_its_own_periods(
    app: LedgerApplication, make_terms: Any
) -> None:
    app.commands.sign_agreement("acme-1", make_terms(term_start=SIGNED_AT), SIGNED_AT)

    closed = app.commands.close_periods("acme-1", datetime(2026, 3, 1, tzinfo=UTC))

    assert closed.closed_count == 2
    assert all(e.event.customer_id == "" for e in closed.events)
