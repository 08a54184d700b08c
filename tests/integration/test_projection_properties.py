"""Property: the breaches and credit projections always equal what the replay oracle says."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import BandsRule, CreditBand, CreditPolicy, ObjectiveRules
from domain.oracle import replay_compliance
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.ledger_views import from_minor_units
from projections.queries import BreachFilter, CreditFilter, list_breaches, list_credits
from service.application import LedgerApplication
from service.read_models import ReadModels
from service.storage import SchemaLock, parse_database_url

START = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.5"), Decimal(10)), CreditBand(Decimal(97), Decimal(25))))
)


class Clock:
    """A record clock one second further at every reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=1)
            return self.now


def _terms(unit: PeriodUnit = PeriodUnit.WEEK, target: Decimal = Decimal(99)) -> AgreementTerms:
    return AgreementTerms(
        Party("acme"),
        Party("globex"),
        AgreementKind.CUSTOMER_BASED,
        ("api",),
        "UTC",
        Fee(Money(Decimal("900.00"), "EUR"), PeriodUnit.MONTH),
        START,
        None,
        (
            Objective(
                "availability",
                "availability",
                target,
                unit,
                rules=ObjectiveRules(credit_policy=POLICY),
            ),
        ),
    )


reading = st.tuples(st.integers(0, 40 * 24 - 1), st.integers(0, 20))  # hour, bad of 20
step = st.one_of(
    st.tuples(st.just("measure"), st.lists(reading, min_size=1, max_size=12)),
    st.tuples(st.just("close"), st.integers(7, 42)),
    st.tuples(st.just("recalculate"), st.integers(0, 5)),
    st.tuples(st.just("exclude"), st.integers(0, 40 * 24 - 1), st.integers(1, 48)),
    st.tuples(
        st.just("amend"),
        st.integers(0, 40),
        st.sampled_from([PeriodUnit.WEEK, PeriodUnit.MONTH, PeriodUnit.DAY]),
        st.sampled_from([Decimal(99), Decimal("97.5")]),
        st.booleans(),
    ),
)


def _apply(app: LedgerApplication, agreement_id: str, steps: list[Any]) -> None:
    for kind, *args in steps:
        if kind == "measure":
            batch = [
                Measurement(
                    "availability",
                    f"h{hour}",
                    to_epoch_us(START + timedelta(hours=hour)),
                    20 - bad,
                    20,
                )
                for hour, bad in args[0]
            ]
            app.record_measurements(agreement_id, batch)
        elif kind == "close":
            app.close_periods(agreement_id, START + timedelta(days=args[0]))
        elif kind == "recalculate":
            events = app.agreement_events(agreement_id)
            labels = sorted({e.period_label for e in events if hasattr(e, "period_label")})
            if labels:
                try:
                    app.recalculate_period(
                        agreement_id, "availability", labels[args[0] % len(labels)]
                    )
                except Exception as error:
                    assert "not closed" in str(error)
        elif kind == "amend":
            day, unit, target, retroactive = args
            app.amend_agreement(
                agreement_id,
                _terms(unit, target),
                START + timedelta(days=day),
                retroactive=retroactive,
            )
        else:
            start = START + timedelta(hours=args[0])
            app.record_exclusion(
                agreement_id,
                Exclusion(
                    f"x{args[0]}-{args[1]}",
                    start,
                    start + timedelta(hours=args[1]),
                    ExclusionKind.CUSTOMER_CAUSED,
                    "customer caused",
                ),
            )


class ProjectionOracleContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def ledger(self, database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
        storage = parse_database_url(database_url)
        with SchemaLock(storage):
            app = LedgerApplication({**storage.env, "CREATE_TABLE": "y"}, clock=Clock())
        models = ReadModels(app, storage)
        models.create()
        yield app, models
        models.stop()
        app.close()

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=1, max_size=10))
    def test_breaches_and_credits_projected_equal_the_oracles(
        self, ledger: tuple[LedgerApplication, ReadModels], steps: list[Any]
    ) -> None:
        app, models = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        app.sign_agreement(agreement_id, _terms(), START)
        _apply(app, agreement_id, steps)
        models.runner.catch_up()
        far_future = datetime(2100, 1, 1, tzinfo=UTC)
        report = replay_compliance(app.agreement_events(agreement_id), far_future, far_future)

        projected_breaches = [
            (r.period_label, r.track, r.attained, r.retracted)
            for r in list_breaches(
                models.engine, BreachFilter(agreement_id=agreement_id), 0, 10_000
            )
        ]
        oracle_breaches = [
            (b.period_label, b.track, "" if b.attained is None else str(b.attained), b.retracted)
            for b in report.breaches
        ]
        projected_credits = [
            (r.period_label, r.kind, from_minor_units(r.amount_minor, r.currency))
            for r in list_credits(models.engine, CreditFilter(agreement_id=agreement_id), 0, 10_000)
        ]
        oracle_credits = [(c.period_label, c.kind, c.amount) for c in report.credits]

        assert sorted(projected_breaches) == sorted(oracle_breaches)
        assert sorted(projected_credits, key=repr) == sorted(oracle_credits, key=repr)

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=1, max_size=10), data=st.data())
    def test_compliance_from_the_needed_streams_equals_the_full_replay(
        self, ledger: tuple[LedgerApplication, ReadModels], steps: list[Any], data: st.DataObject
    ) -> None:
        app, _ = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        signed_on = START - timedelta(days=data.draw(st.integers(0, 3)))
        app.sign_agreement(agreement_id, _terms(), signed_on)
        _apply(app, agreement_id, steps)
        recorded = sorted({e.timestamp for e in app.agreement_events(agreement_id)})

        for _ in range(3):
            as_of = signed_on + timedelta(hours=data.draw(st.integers(0, 60 * 24)))
            known_at = data.draw(st.sampled_from(recorded))
            fast = app.compliance(agreement_id, "", as_of, known_at)
            full = app.compliance_by_full_replay(agreement_id, "", as_of, known_at)

            assert fast == full


class TestProjectionOracleOnSQLite(ProjectionOracleContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestProjectionOracleOnPostgres(ProjectionOracleContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
