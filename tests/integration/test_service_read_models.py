"""The read models of a service SLA on SQLite and PostgreSQL: per-subscriber breaches, credits,
balances and exports equal the replay; a rebuild and the audit agree; subscriptions are listed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from domain.agreement_history import fold_history
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.period_closing import recalculate_period
from domain.period_results import PeriodEvent
from domain.subscriber_views import CUSTOMER_LABEL, subscriber_history
from projections.exports import write_credits_csv
from projections.ledger_views import from_minor_units
from projections.queries import (
    BreachFilter,
    CreditFilter,
    credit_balances,
    list_breaches,
    list_credits,
)
from projections.read_models import ReadModels
from projections.runner import checksum
from projections.tables import agreements, periods, subscriptions
from tests.integration.service_log import MemoryLog, memory_read_models
from tests.unit.worked_examples.builders import APR, MAY, SECOND, daily
from tests.unit.worked_examples.service_builders import SERVICE_ID, ServiceHistory, monthly

JUN = datetime(2026, 6, 1, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def _recalculate(service: ServiceHistory, customer_id: str, label: str) -> None:
    """Recalculate one subscriber's availability period with what the log holds now."""
    own = [
        e for e in service.events if not isinstance(e, PeriodEvent) or e.customer_id == customer_id
    ]
    history = fold_history(own)
    assert history is not None
    view = subscriber_history(history, service.subscriptions[customer_id])
    service.clock += SECOND
    service.events.extend(recalculate_period(view, "availability", label, service.clock))


def _two_subscribers() -> ServiceHistory:
    """Initech on basic (EUR 100.00) and Globex on premium (EUR 500.00) for April and May;
    April's readings breach both tiers, May's only premium; a late reading of Globex's own
    lifts its April above premium's target, and its April is recalculated."""
    service = ServiceHistory()
    service.subscribe("initech", "basic", monthly("100.00"))
    service.subscribe("globex", "premium", monthly("500.00"))
    service.measure(daily(APR, 30, 980, 1000))
    service.measure(daily(MAY, 31, 995, 1000))
    service.close(JUN)
    late = to_epoch_us(APR + timedelta(days=3, hours=1))
    labels = {CUSTOMER_LABEL: "globex"}
    service.measure([Measurement("availability", "late", late, 10**7, 10**7, labels=labels)])
    _recalculate(service, "globex", "2026-04")
    return service


class ServiceReadModelContract:
    """What every backend must show; subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def service(self) -> ServiceHistory:
        return _two_subscribers()

    @pytest.fixture
    def models(self, database_url: str, service: ServiceHistory) -> Iterator[ReadModels]:
        log = MemoryLog()
        log.extend(service.events)
        with memory_read_models(database_url, log) as models:
            models.catch_up()
            yield models

    def test_each_subscriber_s_credit_balance_equals_its_replay(
        self, models: ReadModels, service: ServiceHistory
    ) -> None:
        for customer_id in ("initech", "globex"):
            report = service.report(customer_id, FAR)
            (balance,) = credit_balances(models.engine, customer_id=customer_id)

            projected = from_minor_units(balance.credits_minor, balance.currency)
            assert {("credit", balance.currency): projected} == {
                key: total for key, total in report.credit_totals().items() if key[0] == "credit"
            }
            assert balance.bonuses_minor == 0

    def test_each_subscriber_s_credit_lines_equal_its_replay(
        self, models: ReadModels, service: ServiceHistory
    ) -> None:
        for customer_id in ("initech", "globex"):
            rows = list_credits(models.engine, CreditFilter(customer_id=customer_id), 0, 100)
            report = service.report(customer_id, FAR)

            projected = [
                (
                    r.agreement_id,
                    r.period_label,
                    r.kind,
                    from_minor_units(r.amount_minor, r.currency),
                )
                for r in rows
            ]
            replayed = [(SERVICE_ID, c.period_label, c.kind, c.amount) for c in report.credits]
            assert sorted(projected, key=repr) == sorted(replayed, key=repr)
            assert {r.provider_id for r in rows} == {"acme-storage"}

    def test_each_subscriber_s_breaches_equal_its_replay(
        self, models: ReadModels, service: ServiceHistory
    ) -> None:
        for customer_id in ("initech", "globex"):
            rows = list_breaches(models.engine, BreachFilter(customer_id=customer_id), 0, 100)
            report = service.report(customer_id, FAR)

            projected = [(r.period_label, r.track, r.target, r.retracted) for r in rows]
            replayed = [
                (b.period_label, b.track, str(b.target), b.retracted) for b in report.breaches
            ]
            assert sorted(projected) == sorted(replayed)

    def test_a_retraction_marks_only_the_recalculated_subscriber_s_breach(
        self, models: ReadModels
    ) -> None:
        april = BreachFilter(agreement_id=SERVICE_ID, period_start_before=MAY)
        rows = list_breaches(models.engine, april, 0, 100)

        assert sorted((r.customer_id, r.retracted) for r in rows) == [
            ("globex", True),
            ("initech", False),
        ]

    def test_a_service_sla_is_projected_without_a_customer(self, models: ReadModels) -> None:
        with models.engine.connect() as connection:
            row = connection.execute(
                select(agreements).where(agreements.c.agreement_id == SERVICE_ID)
            ).one()

        assert (row.customer_id, row.provider_id) == ("", "acme-storage")

    def test_each_subscriber_s_periods_are_kept_apart_with_the_tier_that_judged_them(
        self, models: ReadModels
    ) -> None:
        with models.engine.connect() as connection:
            rows = connection.execute(
                select(periods.c.customer_id, periods.c.period_label, periods.c.tier_id)
                .where(periods.c.agreement_id == SERVICE_ID)
                .order_by(periods.c.customer_id, periods.c.period_label)
            ).all()

        assert [tuple(r) for r in rows] == [
            ("globex", "2026-04", "premium"),
            ("globex", "2026-05", "premium"),
            ("initech", "2026-04", "basic"),
            ("initech", "2026-05", "basic"),
        ]

    def test_the_credit_export_names_each_subscriber_as_the_customer(
        self, models: ReadModels
    ) -> None:
        output = io.StringIO()
        write_credits_csv(models.engine, CreditFilter(), output)

        lines = list(csv.DictReader(io.StringIO(output.getvalue())))
        assert [(x["customer_id"], x["period_label"], x["kind"], x["amount"]) for x in lines] == [
            ("initech", "2026-04", "credit_issued", "10.00"),
            ("globex", "2026-04", "credit_issued", "125.00"),
            ("globex", "2026-05", "credit_issued", "50.00"),
            ("globex", "2026-04", "credit_adjusted", "-125.00"),
        ]

    def test_a_rebuild_gives_the_same_rows(self, models: ReadModels) -> None:
        before = checksum(models.engine)

        models.rebuild()

        assert checksum(models.engine) == before

    def test_the_audit_finds_the_read_models_as_the_log_gives_them(
        self, models: ReadModels
    ) -> None:
        audit = models.audit()

        assert audit.ok, audit.first_difference
        assert audit.positions["ledger_views_v2"] == audit.positions["subscription_views"]

    def test_the_audit_names_an_edited_subscription_row(self, models: ReadModels) -> None:
        with models.engine.begin() as connection:
            connection.execute(
                update(subscriptions)
                .where(subscriptions.c.customer_id == "globex")
                .values(tier_id="basic")
            )

        found = models.audit().first_difference

        assert found is not None
        assert (found.table, dict(found.key), found.column) == (
            "projected_subscriptions",
            {"agreement_id": SERVICE_ID, "customer_id": "globex"},
            "tier_id",
        )


class TestServiceReadModelsOnSQLite(ServiceReadModelContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestServiceReadModelsOnPostgres(ServiceReadModelContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
