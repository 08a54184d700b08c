"""Property, on SQLite and PostgreSQL: with a cap across objectives, the fast paths equal the
replay oracles along random readings, closes and recalculations: the credit ledger (with its
credit_capped lines) equals the replay's credit lines, GetCompliance from the needed streams
equals the full replay at random as_of and known_at, and the CreditCapped entries equal a fresh
allocation of the credits as they stand."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.credit_cap_oracle import recorded_reductions, replayed_reductions
from domain.credit_caps import CreditCap
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.oracle import replay_compliance
from domain.period_results import PeriodEvent
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.ledger_views import from_minor_units
from projections.queries import CreditFilter, list_credits
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock

START = datetime(2026, 1, 1, tzinfo=UTC)
OBJECTIVES = ("availability", "latency")
POLICY = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.5"), Decimal(30)), CreditBand(Decimal(97), Decimal(60))))
)
caps = st.one_of(
    st.integers(1, 100).map(lambda p: CreditCap(percent_of_fee=Decimal(p))),
    st.integers(0, 90_000).map(lambda c: CreditCap(amount=Decimal(c).scaleb(-2))),
)
step = st.one_of(
    st.tuples(
        st.just("measure"),
        st.sampled_from(OBJECTIVES),
        st.lists(
            st.tuples(st.integers(0, 40 * 24 - 1), st.integers(0, 20)), min_size=1, max_size=12
        ),
    ),
    st.tuples(st.just("close"), st.integers(1, 42)),
    st.tuples(st.just("recalculate"), st.sampled_from(OBJECTIVES), st.integers(0, 40)),
)


def _terms(unit: PeriodUnit, cap: CreditCap) -> AgreementTerms:
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
                Decimal(99),
                unit,
                rules=ObjectiveRules(credit_policy=POLICY),
            ),
            Objective(
                "latency",
                "latency",
                Decimal(99),
                PeriodUnit.MONTH,
                rules=ObjectiveRules(credit_policy=POLICY),
            ),
        ),
        credit_cap=cap,
    )


def _apply(app: LedgerApplication, agreement_id: str, steps: list[Any]) -> None:
    for kind, *args in steps:
        if kind == "measure":
            objective_id, readings = args
            batch = [
                Measurement(
                    objective_id, f"h{at}", to_epoch_us(START + timedelta(hours=at)), 20 - bad, 20
                )
                for at, bad in readings
            ]
            app.ingest.record_measurements(agreement_id, batch)
        elif kind == "close":
            app.commands.close_periods(agreement_id, START + timedelta(days=args[0]))
        else:
            objective_id, index = args
            closed = sorted(
                {
                    e.period_label
                    for e in app.event_log.agreement_events(agreement_id)
                    if isinstance(e, PeriodEvent) and e.objective_id == objective_id
                }
            )
            if closed:
                app.commands.recalculate_period(
                    agreement_id, objective_id, closed[index % len(closed)]
                )


class CapOracleContract:
    """Subclasses supply `database_url`."""

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

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        unit=st.sampled_from([PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH]),
        cap=caps,
        steps=st.lists(step, min_size=1, max_size=10),
        data=st.data(),
    )
    def test_capped_credits_from_every_fast_path_equal_the_oracles(
        self,
        ledger: tuple[LedgerApplication, ReadModels],
        unit: PeriodUnit,
        cap: CreditCap,
        steps: list[Any],
        data: st.DataObject,
    ) -> None:
        app, models = ledger
        agreement_id = f"c-{uuid.uuid4().hex[:10]}"
        app.commands.sign_agreement(agreement_id, _terms(unit, cap), START)
        _apply(app, agreement_id, [*steps, ("close", 42)])  # at least one close of every period
        models.catch_up()
        events = app.event_log.agreement_events(agreement_id)
        far_future = datetime(2100, 1, 1, tzinfo=UTC)
        report = replay_compliance(events, far_future, far_future)

        projected = [
            (r.objective_id, r.period_label, r.kind, from_minor_units(r.amount_minor, r.currency))
            for r in list_credits(models.engine, CreditFilter(agreement_id=agreement_id), 0, 10_000)
        ]
        oracle = [(c.objective_id, c.period_label, c.kind, c.amount) for c in report.credits]
        assert sorted(projected, key=repr) == sorted(oracle, key=repr)

        agreement = app.agreements.find_agreement(agreement_id)
        assert agreement is not None
        period_events = [e for e in events if isinstance(e, PeriodEvent)]
        assert recorded_reductions(period_events) == replayed_reductions(agreement, period_events)

        recorded = sorted({e.timestamp for e in events})
        for _ in range(2):
            as_of = START + timedelta(hours=data.draw(st.integers(0, 45 * 24)))
            known_at = data.draw(st.sampled_from(recorded))
            fast, _ = app.compliance.by_stream_replay(agreement_id, "", as_of, known_at)
            full = app.compliance.by_full_replay(agreement_id, "", as_of, known_at)
            assert fast == full


class TestCapOraclesOnSQLite(CapOracleContract):
    """The contract on a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestCapOraclesOnPostgres(CapOracleContract):
    """The contract on PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
