"""The breaches and credit-ledger projections on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement, MetricMeasured
from domain.objectives import ObjectiveRules
from domain.terms import Objective, PeriodUnit
from projections.exports import write_credits_csv
from projections.queries import BreachFilter, CreditFilter, credit_balances, list_breaches
from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner, checksum
from projections.tables import breaches, credit_lines, encoded_events, reading_rollups
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.concurrency import run_concurrently

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)


class ProjectionContract:
    """What every backend must show; subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def ledger(self, database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
        storage = parse_database_url(database_url)
        app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
        models = open_read_models(app, storage, create_tables=False)
        models.create()
        yield app, models
        models.stop()
        app.close()

    @staticmethod
    def _breach_two_months(app: LedgerApplication, make_terms: Callable[..., Any]) -> None:
        # EUR 1,000.00 a month; below 99.9% earns 10%. January and February each get 10
        # readings of 59 or 60 good of 60 (5 x 59 + 5 x 60 = 595 of 600 = 99.1667%): both
        # breach, and each earns EUR 100.00.
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
        for month in (JANUARY, FEBRUARY):
            app.ingest.record_measurements("acme-1", _minutes(month, 10))
        app.commands.close_periods("acme-1", MARCH)

    def test_breaches_of_closed_months_are_listed_with_their_parties_and_windows(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)

        models.catch_up()
        rows = list_breaches(models.engine, BreachFilter(customer_id="globex"), 0, 100)

        assert [(r.period_label, r.provider_id, r.attained) for r in rows] == [
            ("2026-01", "acme", "99.166667"),
            ("2026-02", "acme", "99.166667"),
        ]
        assert rows[0].window_start.replace(tzinfo=UTC) == JANUARY

    def test_credit_balances_are_exact_sums_of_issued_and_adjusted_credits(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        # A late reading of 60,000 good lifts January to 60,595 / 60,600 = 99.99%: the credit
        # of January is adjusted by -100.00, leaving February's EUR 100.00.
        app.ingest.record_measurements("acme-1", [_reading(JANUARY + timedelta(days=3), 60_000)])
        app.commands.recalculate_period("acme-1", "availability", "2026-01")

        models.catch_up()
        [balance] = credit_balances(models.engine, "globex")

        assert (balance.currency, balance.credits_minor, balance.bonuses_minor) == (
            "EUR",
            10_000,
            0,
        )

    def test_a_retracted_breach_is_marked_retracted_not_removed(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        app.ingest.record_measurements("acme-1", [_reading(JANUARY + timedelta(days=3), 60_000)])
        app.commands.recalculate_period("acme-1", "availability", "2026-01")

        models.catch_up()
        rows = list_breaches(models.engine, BreachFilter(), 0, 100)

        assert [(r.period_label, r.retracted) for r in rows] == [
            ("2026-01", True),
            ("2026-02", False),
        ]

    def test_a_runner_resumes_where_the_previous_one_stopped(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        first = BatchedProjectionRunner(models.engine, models.read_log, models.views, batch_size=3)
        first.run_once()
        stopped_at = first.position()

        second = BatchedProjectionRunner(models.engine, models.read_log, models.views, batch_size=3)
        second.catch_up()

        assert 0 < stopped_at < second.position() == app.recorder.max_notification_id()
        assert _row_count(models, credit_lines) == 2

    def test_concurrent_runners_never_apply_an_event_twice(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        runners = [
            BatchedProjectionRunner(models.engine, models.read_log, projection, batch_size=2)
            for projection in (models.views, models.rollups)
            for _ in range(3)
        ]
        _, errors = run_concurrently([runner.catch_up for runner in runners])
        models.catch_up()
        measured = [
            e for e in app.event_log.agreement_events("acme-1") if isinstance(e, MetricMeasured)
        ]

        assert errors == []
        assert (_row_count(models, breaches), _row_count(models, credit_lines)) == (2, 2)
        assert _row_count(models, reading_rollups) == len(measured)
        assert models.position() == app.recorder.max_notification_id()

    def test_a_rebuild_gives_tables_identical_to_the_live_ones(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        app.ingest.record_measurements("acme-1", [_reading(JANUARY + timedelta(days=3), 60_000)])
        app.commands.recalculate_period("acme-1", "availability", "2026-01")
        models.catch_up()
        live = checksum(models.engine)

        applied = models.rebuild()

        assert applied == app.recorder.max_notification_id()
        assert checksum(models.engine) == live

    def test_a_rebuild_keeps_the_event_encodings_and_rebuilding_them_gives_the_same_bytes(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        models.catch_up()
        encoded = _encodings(models)

        models.rebuild()
        kept = _encodings(models)
        models.rebuild(encodings=True)

        assert len(encoded) == app.recorder.max_notification_id()
        assert kept == encoded == _encodings(models)

    def test_the_credit_export_writes_one_csv_line_per_credit(
        self, ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
    ) -> None:
        app, models = ledger
        self._breach_two_months(app, make_terms)
        models.catch_up()
        output = io.StringIO()

        written = write_credits_csv(models.engine, CreditFilter(period_start_from=FEBRUARY), output)

        rows = list(csv.DictReader(io.StringIO(output.getvalue())))
        assert written == 1
        assert [(r["period_label"], r["amount"], r["currency"]) for r in rows] == [
            ("2026-02", "100.00", "EUR")
        ]


def _minutes(start: datetime, count: int) -> list[Measurement]:
    return [
        Measurement("availability", "", to_epoch_us(start + timedelta(minutes=i)), 59 + i % 2, 60)
        for i in range(count)
    ]


def _reading(at: datetime, good: int) -> Measurement:
    return Measurement("availability", "late", to_epoch_us(at), good, good)


def _row_count(models: ReadModels, table: Any) -> int:
    with models.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


class TestProjectionsOnSQLite(ProjectionContract):
    """The contract on a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestProjectionsOnPostgres(ProjectionContract):
    """The contract on PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url


def _encodings(models: ReadModels) -> list[tuple[int, bytes]]:
    with models.engine.connect() as connection:
        return [
            (p, bytes(e))
            for p, e in connection.execute(
                select(encoded_events.c.position, encoded_events.c.encoded).order_by(
                    encoded_events.c.position
                )
            )
        ]
