"""The subscriptions read model on SQLite and PostgreSQL: a service's subscribers and a
customer's subscriptions, page by page, by tier at an instant, with upcoming tier changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.agreement import Agreement
from domain.subscriptions import Subscription
from domain.terms import Party
from projections import subscription_views
from projections.read_models import ReadModels
from projections.subscription_views import (
    SubscriptionRow,
    customer_subscriptions,
    service_subscriptions,
)
from tests.integration.service_log import MemoryLog, memory_read_models
from tests.unit.worked_examples.builders import APR, MAY
from tests.unit.worked_examples.service_builders import monthly, service_terms

JUN = datetime(2026, 6, 1, tzinfo=UTC)
MID_MAY = datetime(2026, 5, 15, tzinfo=UTC)


class Subscriptions:
    """Two service SLAs and their subscriptions, their events in log order."""

    def __init__(self) -> None:
        self.clock = APR - timedelta(days=2)
        self.events: list[object] = []
        self.services = {
            service_id: Agreement.sign(service_id, service_terms(), self.clock, self._tick())
            for service_id in ("storage-a", "storage-b")
        }
        for service in self.services.values():
            self.events.extend(service.collect_events())
        self.subscriptions: dict[tuple[str, str], Subscription] = {}

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def subscribe(self, service_id: str, customer_id: str, tier_id: str, fee: str) -> None:
        subscription = Subscription.subscribe(
            self.services[service_id],
            Party(customer_id, customer_id.title()),
            tier_id,
            monthly(fee),
            APR,
            None,
            self._tick(),
        )
        self.subscriptions[service_id, customer_id] = subscription
        self.events.extend(subscription.collect_events())

    def change_tier(
        self, service_id: str, customer_id: str, tier_id: str, fee: str, at: datetime
    ) -> None:
        subscription = self.subscriptions[service_id, customer_id]
        service = self.services[service_id]
        subscription.change_tier(service, tier_id, monthly(fee), at, "upgrade", self._tick())
        self.events.extend(subscription.collect_events())

    def end(self, service_id: str, customer_id: str, at: datetime) -> None:
        subscription = self.subscriptions[service_id, customer_id]
        subscription.end_subscription(at, "cancelled", self._tick())
        self.events.extend(subscription.collect_events())


def _subscriptions() -> Subscriptions:
    """storage-a: c1, c3, c5 on basic, c2 and c4 on premium, c3 upgraded from June 1 (recorded in
    April), c5 ended on May 15; storage-b: c1 on premium."""
    built = Subscriptions()
    for customer_id, tier_id in (
        ("c3", "basic"),
        ("c1", "basic"),
        ("c4", "premium"),
        ("c2", "premium"),
        ("c5", "basic"),
    ):
        built.subscribe("storage-a", customer_id, tier_id, "100.00")
    built.subscribe("storage-b", "c1", "premium", "500.00")
    built.change_tier("storage-a", "c3", "premium", "500.00", JUN)
    built.end("storage-a", "c5", MID_MAY)
    return built


def _customers(rows: list[SubscriptionRow]) -> list[str]:
    return [row.customer_id for row in rows]


class SubscriptionViewContract:
    """What every backend must show; subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def models(self, database_url: str) -> Iterator[ReadModels]:
        log = MemoryLog()
        log.extend(_subscriptions().events)
        with memory_read_models(database_url, log) as models:
            models.catch_up()
            yield models

    def test_a_service_s_subscribers_are_listed_in_customer_order_page_by_page(
        self, models: ReadModels
    ) -> None:
        pages, after = [], ""
        while page := service_subscriptions(models.engine, "storage-a", after=after, limit=2):
            pages.append(_customers(page))
            after = page[-1].customer_id

        assert pages == [["c1", "c2"], ["c3", "c4"], ["c5"]]

    def test_the_tier_filter_lists_the_subscribers_on_that_tier_at_an_instant(
        self, models: ReadModels
    ) -> None:
        def premium(as_of: datetime) -> list[str]:
            rows = service_subscriptions(
                models.engine, "storage-a", tier_id="premium", as_of=as_of, limit=10
            )
            return _customers(rows)

        assert premium(MAY) == ["c2", "c4"]
        assert premium(JUN - timedelta(microseconds=1)) == ["c2", "c4"]
        assert premium(JUN) == ["c2", "c3", "c4"]

    def test_the_tier_filter_pages_after_a_customer_id(self, models: ReadModels) -> None:
        first = service_subscriptions(
            models.engine, "storage-a", tier_id="basic", as_of=MAY, limit=2
        )
        rest = service_subscriptions(
            models.engine, "storage-a", tier_id="basic", as_of=MAY, after="c3", limit=2
        )

        assert (_customers(first), _customers(rest)) == (["c1", "c3"], ["c5"])

    def test_the_tier_filter_finds_the_same_subscribers_reading_one_row_at_a_time(
        self, models: ReadModels, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(subscription_views, "SCAN_ROWS", 1)

        rows = service_subscriptions(
            models.engine, "storage-a", tier_id="premium", as_of=JUN, limit=10
        )
        first_two = service_subscriptions(
            models.engine, "storage-a", tier_id="premium", as_of=JUN, limit=2
        )

        assert (_customers(rows), _customers(first_two)) == (["c2", "c3", "c4"], ["c2", "c3"])

    def test_without_an_instant_the_tier_filter_takes_the_newest_tier(
        self, models: ReadModels
    ) -> None:
        rows = service_subscriptions(models.engine, "storage-a", tier_id="premium", limit=10)

        assert _customers(rows) == ["c2", "c3", "c4"]

    def test_a_tier_change_effective_later_shows_the_current_tier_and_the_upcoming_change(
        self, models: ReadModels
    ) -> None:
        (row,) = service_subscriptions(models.engine, "storage-a", after="c2", limit=1)

        assert (row.customer_id, row.tier_id, row.fee) == ("c3", "basic", monthly("100.00"))
        assert (row.change_tier_id, row.change_fee, row.change_effective_from) == (
            "premium",
            monthly("500.00"),
            JUN,
        )
        upcoming = row.upcoming_change(MAY)
        assert upcoming is not None and upcoming.tier_id == "premium"
        assert row.upcoming_change(JUN) is None
        assert [row.terms_at(at).tier_id for at in (MAY, JUN)] == ["basic", "premium"]

    def test_an_ended_subscription_shows_its_end(self, models: ReadModels) -> None:
        (row,) = service_subscriptions(models.engine, "storage-a", after="c4", limit=1)

        assert (row.customer_id, row.ended_at, row.planned_end, row.end) == (
            "c5",
            MID_MAY,
            None,
            MID_MAY,
        )
        assert (row.version, row.is_active_at(MAY), row.is_active_at(MID_MAY)) == (2, True, False)

    def test_a_subscription_without_a_change_has_no_change_columns(
        self, models: ReadModels
    ) -> None:
        (row,) = service_subscriptions(models.engine, "storage-a", limit=1)

        assert (row.customer_id, row.customer_name, row.tier_id, row.version) == (
            "c1",
            "C1",
            "basic",
            1,
        )
        assert (row.change_tier_id, row.change_fee, row.change_effective_from) == (None,) * 3
        assert (row.start, row.planned_end, row.ended_at) == (APR, None, None)

    def test_a_customer_s_subscriptions_are_listed_in_service_order(
        self, models: ReadModels
    ) -> None:
        both = customer_subscriptions(models.engine, "c1", limit=10)
        after_a = customer_subscriptions(models.engine, "c1", after="storage-a", limit=10)

        assert [(r.agreement_id, r.tier_id) for r in both] == [
            ("storage-a", "basic"),
            ("storage-b", "premium"),
        ]
        assert [r.agreement_id for r in after_a] == ["storage-b"]

    def test_another_service_s_subscribers_are_not_listed(self, models: ReadModels) -> None:
        rows = service_subscriptions(models.engine, "storage-b", limit=10)

        assert [(r.agreement_id, r.customer_id) for r in rows] == [("storage-b", "c1")]


class TestSubscriptionViewsOnSQLite(SubscriptionViewContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestSubscriptionViewsOnPostgres(SubscriptionViewContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
