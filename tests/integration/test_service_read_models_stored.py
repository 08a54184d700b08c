"""The read models of a service SLA whose events the application stored, decoded from the log
as a server reads them, on SQLite and PostgreSQL: per-subscriber credits equal the oracle's,
subscription rows equal the subscriptions the application finds, and the audit agrees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.agreement_history import fold_history
from domain.identifiers import subscription_stream
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.oracle import replay_subscriber_compliance
from domain.period_closing import close_due_periods
from domain.period_results import PeriodEvent
from domain.subscriber_views import CUSTOMER_LABEL, subscriber_history
from domain.subscriptions import Subscription
from domain.terms import Party
from projections.ledger_views import from_minor_units
from projections.queries import BreachFilter, credit_balances, list_breaches
from projections.read_models import ReadModels
from projections.subscription_views import customer_subscriptions, service_subscriptions
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_log import expected_subscription_row
from tests.unit.worked_examples.builders import APR, MAY, daily
from tests.unit.worked_examples.service_builders import SERVICE_ID, monthly, service_terms

JUN = datetime(2026, 6, 1, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
CUSTOMERS = ("initech", "globex")


@dataclass
class StoredService:
    """The application and read models of a ledger holding one service SLA."""

    app: LedgerApplication
    models: ReadModels

    def close_for_every_subscriber(self, until: datetime) -> None:
        """Close each subscriber's due periods from its view of the stored log, and save them."""
        events = self.app.event_log.agreement_events(SERVICE_ID)
        for customer_id in CUSTOMERS:
            own = [
                e for e in events if not isinstance(e, PeriodEvent) or e.customer_id == customer_id
            ]
            history = fold_history(own)
            subscription = self.app.subscriptions.find(SERVICE_ID, customer_id)
            assert history is not None and subscription is not None
            view = subscriber_history(history, subscription)
            self.app.save_events(close_due_periods(view, until, self.app.now()))

    def report(self, customer_id: str) -> dict[tuple[str, str], object]:
        """The oracle's credit totals for one subscriber, from the stored log."""
        events = self.app.event_log.agreement_events(SERVICE_ID)
        stream = subscription_stream(SERVICE_ID, customer_id)
        own = [e for e in events if isinstance(e, Subscription.Event) and e.originator_id == stream]
        return dict(replay_subscriber_compliance(events, own, FAR, FAR).credit_totals())


@pytest.fixture
def stored(database_url: str) -> Iterator[StoredService]:
    storage = parse_database_url(database_url)
    app = open_application(storage, clock=SteppingClock(datetime(2026, 7, 1, tzinfo=UTC)))
    models = open_read_models(app, storage)
    app.commands.sign_agreement(SERVICE_ID, service_terms(), APR - timedelta(days=1))
    app.subscriptions.subscribe(
        SERVICE_ID, Party("initech", "Initech"), "basic", monthly("100.00"), APR, None
    )
    app.subscriptions.subscribe(
        SERVICE_ID, Party("globex", "Globex"), "premium", monthly("500.00"), APR, JUN
    )
    app.subscriptions.change_tier(
        SERVICE_ID, "globex", "basic", monthly("100.00"), datetime(2026, 5, 15, tzinfo=UTC)
    )
    app.ingest.record_measurements(SERVICE_ID, daily(APR, 61, 980, 1000))
    built = StoredService(app, models)
    built.close_for_every_subscriber(JUN)
    late = to_epoch_us(APR + timedelta(days=3, hours=1))
    labels = {CUSTOMER_LABEL: "globex"}
    app.ingest.record_measurements(
        SERVICE_ID, [Measurement("availability", "late", late, 10**7, 10**7, labels=labels)]
    )
    app.commands.recalculate_period(SERVICE_ID, "availability", "2026-04", customer_id="globex")
    models.catch_up()
    yield built
    models.stop()
    app.close()


def test_each_subscriber_s_stored_credits_project_to_the_oracle_s_totals(
    stored: StoredService,
) -> None:
    for customer_id in CUSTOMERS:
        (balance,) = credit_balances(stored.models.engine, customer_id=customer_id)

        projected = from_minor_units(balance.credits_minor, balance.currency)
        assert stored.report(customer_id) == {("credit", "EUR"): projected}


def test_only_the_recalculated_subscriber_s_stored_breach_is_retracted(
    stored: StoredService,
) -> None:
    april = BreachFilter(agreement_id=SERVICE_ID, period_start_before=MAY)
    rows = list_breaches(stored.models.engine, april, 0, 100)

    assert sorted((r.customer_id, r.retracted) for r in rows) == [
        ("globex", True),
        ("initech", False),
    ]


def test_stored_subscriptions_project_to_the_subscriptions_the_application_finds(
    stored: StoredService,
) -> None:
    rows = service_subscriptions(stored.models.engine, SERVICE_ID, limit=10)
    logged = stored.app.event_log.list_events(SERVICE_ID, 0, 10_000)

    expected = []
    for customer_id in sorted(CUSTOMERS):
        subscription = stored.app.subscriptions.find(SERVICE_ID, customer_id)
        assert subscription is not None
        last = max(e.position for e in logged if e.event.originator_id == subscription.id)
        expected.append(expected_subscription_row(subscription, last))
    assert rows == expected
    assert customer_subscriptions(stored.models.engine, "globex", limit=10) == rows[:1]


def test_the_audit_of_the_stored_service_s_read_models_finds_no_difference(
    stored: StoredService,
) -> None:
    audit = stored.models.audit()

    assert audit.ok, audit.first_difference
    assert audit.position == stored.app.event_log.head()
