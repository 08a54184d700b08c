"""A ledger whose read models were projected before ledger views v2 (periods keyed by customer):
on start the v2 tables are filled from the log beside the old ones, which are no longer read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, MetaData, Table, func, insert, select

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import ObjectiveRules
from domain.terms import Objective, PeriodUnit
from projections.queries import BreachFilter, credit_balances, list_breaches
from projections.tables import agreements, breaches, credit_lines, periods, projection_tracking
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)


def _version_one_tables() -> MetaData:
    """The tables as ledger views v1 kept them: unversioned names, periods keyed without the
    customer, and the v1 index names."""
    metadata = MetaData()
    index_columns: dict[str, dict[str, tuple[str, ...]]] = {
        "projected_breaches": {"ix_projected_breaches_agreement": ("agreement_id", "objective_id")},
        "projected_credit_lines": {"ix_projected_credit_lines_agreement": ("agreement_id",)},
    }
    for table in (agreements, breaches, credit_lines):
        name = table.name.removesuffix("_v2")
        columns = (Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns)
        old = Table(name, metadata, *columns)
        for index_name, names in index_columns.get(name, {}).items():
            Index(index_name, *(old.c[n] for n in names))
    Table(
        "projected_periods",
        metadata,
        *(
            Column(c.name, c.type, primary_key=c.primary_key)
            for c in periods.columns
            if c.name not in ("customer_id", "tier_id")
        ),
    )
    return metadata


def test_version_two_ledger_views_are_filled_from_the_log_beside_version_one_tables(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    storage = parse_database_url(database_url)
    app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
    policy = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(10)),)))
    objective = Objective(
        "availability",
        "availability",
        Decimal("99.9"),
        PeriodUnit.MONTH,
        rules=ObjectiveRules(credit_policy=policy),
    )
    app.commands.sign_agreement(
        "acme-1", make_terms(time_zone="UTC", objectives=(objective,)), JANUARY
    )
    minutes = [
        Measurement("availability", "", to_epoch_us(JANUARY + timedelta(minutes=i)), 59, 60)
        for i in range(10)
    ]
    app.ingest.record_measurements("acme-1", minutes)
    app.commands.close_periods("acme-1", FEBRUARY)
    models = open_read_models(app, storage, create_tables=False)
    try:
        # The ledger as v1 left it: its tables, and its tracking row at the log's head.
        version_one = _version_one_tables()
        version_one.create_all(models.engine)
        projection_tracking.create(models.engine)
        with models.engine.begin() as connection:
            connection.execute(
                insert(projection_tracking).values(
                    name="ledger_views", position=app.event_log.head()
                )
            )

        models.create()
        models.catch_up()

        rows = list_breaches(models.engine, BreachFilter(customer_id="globex"), 0, 10)
        assert [(r.agreement_id, r.period_label) for r in rows] == [("acme-1", "2026-01")]
        [balance] = credit_balances(models.engine, "globex")
        assert (balance.currency, balance.credits_minor) == ("EUR", 10_000)
        assert models.audit().ok
        with models.engine.connect() as connection:
            old = version_one.tables["projected_breaches"]
            assert connection.execute(select(func.count()).select_from(old)).scalar_one() == 0
    finally:
        models.stop()
        app.close()
