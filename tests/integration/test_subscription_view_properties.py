"""Property: each projected subscription row is what folding its subscription's events gives
(domain.subscriptions.replay_subscription), whatever the batches, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.money import Money
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import Fee, Party, PeriodUnit
from projections.runner import BatchedProjectionRunner, create_tables
from projections.subscription_views import (
    SubscriptionViews,
    customer_subscriptions,
    service_subscriptions,
)
from projections.tables import projection_tracking, subscriptions
from tests.integration.service_log import (
    MemoryLog,
    expected_subscription_row,
    read_models_engine_at,
)
from tests.unit.worked_examples.builders import APR
from tests.unit.worked_examples.service_builders import service_terms

HOUR = timedelta(hours=1)
SERVICES = ("svc-a", "svc-b")
CUSTOMERS = ("c1", "c2", "c3")
ZONES = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)))
fees = st.sampled_from(
    [
        Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        Fee(Money(Decimal("250.50"), "EUR"), PeriodUnit.MONTH),
        Fee(Money(Decimal(12000), "JPY"), PeriodUnit.WEEK),
        Fee(Money(Decimal("7.125"), "BHD"), PeriodUnit.DAY),
    ]
)
instants = st.builds(
    lambda hours, zone: (APR + hours * HOUR).astimezone(zone),
    st.integers(0, 24 * 90),
    st.sampled_from(ZONES),
)
# Instants after a subscription's start, as hours after it and a zone to write them in.
later = st.tuples(st.integers(1, 24 * 60), st.sampled_from(ZONES))
who = st.tuples(st.sampled_from(SERVICES), st.sampled_from(CUSTOMERS))
tiers = st.sampled_from(["basic", "premium"])
steps_of_kind = {
    "subscribe": st.tuples(st.just("subscribe"), who, tiers, fees, instants, st.none() | later),
    # A change or an end picks one of the subscriptions made so far by its index.
    "change": st.tuples(st.just("change"), st.integers(0, 5), tiers, st.none() | fees, later),
    "end": st.tuples(st.just("end"), st.integers(0, 5), later),
}
# Tier changes most often, so that subscriptions get several (recorded out of effective order
# too) before they end.
step = st.sampled_from(["subscribe", "change", "change", "change", "end"]).flatmap(
    lambda kind: steps_of_kind[kind]
)


def _after(start: datetime, offset: tuple[int, Any]) -> datetime:
    hours, zone = offset
    return (start + hours * HOUR).astimezone(zone)


def _log_of(steps: list[Any], prefix: str) -> tuple[MemoryLog, dict[tuple[str, str], list[Any]]]:
    """The log of the steps the domain accepts, and each subscription's events."""
    clock = APR - timedelta(days=1)
    services = {s: Agreement.sign(f"{prefix}{s}", service_terms(), clock, clock) for s in SERVICES}
    events: list[Any] = [e for s in services.values() for e in s.collect_events()]
    held: dict[tuple[str, str], Subscription] = {}
    streams: dict[tuple[str, str], list[Any]] = {}
    for kind, target, *args in steps:
        clock += timedelta(seconds=1)
        if kind == "subscribe":
            service_id, customer_id = target
        elif held:
            service_id, customer_id = list(held)[target % len(held)]
        else:
            continue
        service, subscription = services[service_id], held.get((service_id, customer_id))
        with contextlib.suppress(InvalidArgumentError, FailedPreconditionError):
            if kind == "subscribe" and subscription is None:
                tier_id, fee, start, end = args
                planned_end = None if end is None else _after(start, end)
                subscription = Subscription.subscribe(
                    service, Party(customer_id), tier_id, fee, start, planned_end, clock
                )
                held[service_id, customer_id] = subscription
            elif kind == "change" and subscription is not None:
                tier_id, fee, offset = args
                effective_from = _after(subscription.start, offset)
                subscription.change_tier(service, tier_id, fee, effective_from, "why", clock)
            elif kind == "end" and subscription is not None:
                subscription.end_subscription(_after(subscription.start, args[0]), "bye", clock)
        if subscription is not None:
            new = subscription.collect_events()
            streams.setdefault((service.agreement_id, customer_id), []).extend(new)
            events.extend(new)
    log = MemoryLog()
    log.extend(events)
    return log, streams


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(subscriptions))
        connection.execute(delete(projection_tracking))
    create_tables(engine, [SubscriptionViews.name])


class SubscriptionPropertyContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def engine(self, database_url: str) -> Iterator[Engine]:
        engine = read_models_engine_at(database_url)
        create_tables(engine, [SubscriptionViews.name])
        yield engine
        engine.dispose()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        steps=st.lists(step, min_size=1, max_size=30),
        batch_size=st.integers(1, 8),
        probes=st.lists(instants, min_size=1, max_size=5),
    )
    def test_each_row_equals_the_replay_of_its_subscription(
        self, engine: Engine, steps: list[Any], batch_size: int, probes: list[datetime]
    ) -> None:
        _reset(engine)
        log, streams = _log_of(steps, f"{uuid.uuid4().hex[:6]}-")
        runner = BatchedProjectionRunner(engine, log.read_log, SubscriptionViews(), batch_size)
        runner.catch_up()
        positions = {
            (e.event().agreement_id, e.event().customer.party_id): e.position
            for e in log.entries
            if isinstance(e.event(), Subscription.Subscribed)
        }
        last = {e.event().originator_id: e.position for e in log.entries}

        projected = {
            (r.agreement_id, r.customer_id): r
            for agreement_id in {key[0] for key in streams}
            for r in service_subscriptions(engine, agreement_id, limit=100)
        }

        expected = {}
        for key, events in streams.items():
            subscription = replay_subscription(events)
            assert subscription is not None and key in positions
            expected[key] = expected_subscription_row(subscription, last[subscription.id])
        assert projected == expected
        for key, row in projected.items():
            subscription = replay_subscription(streams[key])
            assert subscription is not None
            for at in probes:
                assert row.terms_at(at) == subscription.terms_at(at)

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=1, max_size=30))
    def test_a_customer_s_rows_are_the_service_listings_rows(
        self, engine: Engine, steps: list[Any]
    ) -> None:
        _reset(engine)
        log, streams = _log_of(steps, f"{uuid.uuid4().hex[:6]}-")
        BatchedProjectionRunner(engine, log.read_log, SubscriptionViews()).catch_up()
        by_service = {
            (r.agreement_id, r.customer_id): r
            for agreement_id in {key[0] for key in streams}
            for r in service_subscriptions(engine, agreement_id, limit=100)
        }

        by_customer = {
            (r.agreement_id, r.customer_id): r
            for customer_id in CUSTOMERS
            for r in customer_subscriptions(engine, customer_id, limit=100)
        }

        assert by_customer == by_service


class TestSubscriptionPropertiesOnSQLite(SubscriptionPropertyContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestSubscriptionPropertiesOnPostgres(SubscriptionPropertyContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
