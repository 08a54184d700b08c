"""Reading a service SLA's subscriptions from the log (SQLite and PostgreSQL): every customer's
from the subscription streams alone, never the period streams nested below them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory
from domain.period_closing import close_due_periods
from domain.subscriber_views import subscriber_history
from domain.subscriptions import Subscription
from domain.terms import Party
from service.app.application import LedgerApplication
from service.app.subscriber_reads import (
    logged_subscriptions,
    subscription_events,
    subscriptions_of,
)
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_slas import BASIC_FEE, JANUARY, PREMIUM_FEE, SERVICE, sign_service

MAY = datetime(2026, 5, 1, tzinfo=UTC)
# Ids whose streams sort between a subscription stream and the streams nested below it
# ('-' and '.' sort before '/'), and after them ('~' and digits).
CUSTOMERS = ("c1", "c1-a", "c1.b", "c1-a-x", "c10", "c1~z", "b", "d")


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(
        parse_database_url(database_url), clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC))
    )
    sign_service(application)
    yield application
    application.close()


def _service(app: LedgerApplication) -> Agreement:
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    return service


def _subscribe(app: LedgerApplication, customer_id: str) -> Subscription:
    subscription = Subscription.subscribe(
        _service(app), Party(customer_id), "basic", BASIC_FEE, JANUARY, None, app.now()
    )
    app.save(subscription)
    return subscription


def _close_every_period(app: LedgerApplication, subscription: Subscription) -> None:
    """Period streams nested below the subscription's stream (four months, no readings)."""
    history = AgreementHistory(_service(app), customer_id=subscription.customer_id)
    events = close_due_periods(subscriber_history(history, subscription), MAY, app.now())
    app.save_events(events)


def test_every_customers_subscription_is_found_in_customer_id_order(
    app: LedgerApplication,
) -> None:
    for customer_id in CUSTOMERS:
        _close_every_period(app, _subscribe(app, customer_id))

    found = subscriptions_of(app.event_log, SERVICE)

    assert [s.customer_id for s in found] == sorted(CUSTOMERS)
    assert all(s.agreement_id == SERVICE for s in found)


def test_a_subscription_is_folded_from_all_of_its_events(app: LedgerApplication) -> None:
    subscription = _subscribe(app, "globex")
    subscription.change_tier(_service(app), "premium", PREMIUM_FEE, MAY, "upgrade", app.now())
    app.save(subscription)

    [logged] = logged_subscriptions(app.event_log, SERVICE)

    assert [type(e).__name__ for _, e in logged.events] == ["Subscribed", "TierChanged"]
    assert logged.subscription.current.tier_id == "premium"
    assert logged.first_position == logged.events[0][0]


def test_one_customers_subscription_events_are_its_streams_only(app: LedgerApplication) -> None:
    _close_every_period(app, _subscribe(app, "c1"))
    _subscribe(app, "c1-a")

    events = subscription_events(app.event_log, SERVICE, "c1")

    assert [type(e).__name__ for e in events] == ["Subscribed"]
    assert events[0].originator_id == f"agreement:{SERVICE}/customer:c1"


def test_an_agreement_without_subscribers_has_none(app: LedgerApplication) -> None:
    assert subscriptions_of(app.event_log, SERVICE) == []
    assert subscriptions_of(app.event_log, "no-such-service") == []
    assert subscription_events(app.event_log, SERVICE, "nobody") == []
