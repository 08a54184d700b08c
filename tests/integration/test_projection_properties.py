"""Property: the breaches and credit projections always equal what the replay oracle says."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.errors import FailedPreconditionError
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import Comparison, Indicator, ObjectiveRules, Schedule, Threshold
from domain.oracle import replay_compliance
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.ledger_views import from_minor_units
from projections.queries import BreachFilter, CreditFilter, list_breaches, list_credits
from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock

START = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.5"), Decimal(10)), CreditBand(Decimal(97), Decimal(25))))
)


LATENCY = Objective(
    "latency",
    "p99_latency_ms",
    Decimal(95),
    PeriodUnit.WEEK,
    rules=ObjectiveRules(
        indicator=Indicator.THRESHOLD,
        threshold=Threshold(Comparison.LTE, Decimal(250)),
        schedule=Schedule(days=(1, 2, 3, 4, 5), start_minute=487, end_minute=1080),
        off_schedule_target_percent=Decimal(90),
        label_scope={"tier": "gold"},
    ),
)


def _terms(
    unit: PeriodUnit = PeriodUnit.WEEK,
    target: Decimal = Decimal(99),
    zone: str = "UTC",
    latency: bool = False,
) -> AgreementTerms:
    return AgreementTerms(
        Party("acme"),
        Party("globex"),
        AgreementKind.CUSTOMER_BASED,
        ("api",),
        zone,
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
            *((LATENCY,) if latency else ()),
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


MINUTES = 40 * 24 * 60
latency_reading = st.tuples(
    st.integers(0, MINUTES - 1),
    st.sampled_from([100.0, 250.0, 250.5, 900.0]),
    st.sampled_from([None, {"tier": "gold"}, {"tier": "silver"}]),
)
minute_reading = st.tuples(st.integers(0, MINUTES - 1), st.integers(0, 2))
zones = st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"])
rich_step = st.one_of(
    step,
    st.tuples(st.just("measure minutes"), st.lists(minute_reading, min_size=1, max_size=40)),
    st.tuples(st.just("measure latency"), st.lists(latency_reading, min_size=1, max_size=40)),
    st.tuples(st.just("exclude minutes"), st.integers(0, MINUTES - 1), st.integers(1, 4320)),
    st.tuples(st.just("rezone"), st.integers(0, 40), zones),
    st.tuples(st.just("terminate"), st.integers(1, MINUTES)),
)


def _apply(app: LedgerApplication, agreement_id: str, steps: list[Any]) -> None:
    for kind, *args in steps:
        with contextlib.suppress(FailedPreconditionError):  # refused after a termination
            _apply_step(app, agreement_id, kind, args)


def _apply_step(app: LedgerApplication, agreement_id: str, kind: str, args: list[Any]) -> None:
    if kind in ("measure", "measure minutes"):
        unit = timedelta(hours=1) if kind == "measure" else timedelta(minutes=1)
        prefix = "h" if kind == "measure" else "m"
        batch = [
            Measurement(
                "availability", f"{prefix}{at}", to_epoch_us(START + at * unit), 20 - bad, 20
            )
            for at, bad in args[0]
        ]
        app.ingest.record_measurements(agreement_id, batch)
    elif kind == "measure latency":
        batch = [
            Measurement(
                "latency",
                f"l{minute}",
                to_epoch_us(START + timedelta(minutes=minute)),
                sample=sample,
                labels=labels,
            )
            for minute, sample, labels in args[0]
        ]
        app.ingest.record_measurements(agreement_id, batch)
    elif kind == "exclude minutes":
        start = START + timedelta(minutes=args[0])
        app.commands.record_exclusion(
            agreement_id,
            Exclusion(
                f"xm{args[0]}-{args[1]}",
                start,
                start + timedelta(minutes=args[1]),
                ExclusionKind.SCHEDULED_MAINTENANCE,
                "maintenance",
            ),
        )
    elif kind == "rezone":
        app.commands.amend_agreement(
            agreement_id, _terms(zone=args[1], latency=True), START + timedelta(days=args[0])
        )
    elif kind == "terminate":
        app.commands.terminate_agreement(agreement_id, START + timedelta(minutes=args[0]))
    elif kind == "close":
        app.commands.close_periods(agreement_id, START + timedelta(days=args[0]))
    elif kind == "recalculate":
        events = app.event_log.agreement_events(agreement_id)
        labels = sorted({e.period_label for e in events if hasattr(e, "period_label")})
        if labels:
            try:
                app.commands.recalculate_period(
                    agreement_id, "availability", labels[args[0] % len(labels)]
                )
            except Exception as error:
                assert "not closed" in str(error)
    elif kind == "amend":
        day, unit, target, retroactive = args
        app.commands.amend_agreement(
            agreement_id,
            _terms(unit, target, latency=True),
            START + timedelta(days=day),
            retroactive=retroactive,
        )
    else:
        start = START + timedelta(hours=args[0])
        app.commands.record_exclusion(
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
        app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
        models = open_read_models(app, storage, create_tables=False)
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
        app.commands.sign_agreement(agreement_id, _terms(), START)
        _apply(app, agreement_id, steps)
        models.catch_up()
        far_future = datetime(2100, 1, 1, tzinfo=UTC)
        report = replay_compliance(
            app.event_log.agreement_events(agreement_id), far_future, far_future
        )

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
        app.commands.sign_agreement(agreement_id, _terms(), signed_on)
        _apply(app, agreement_id, steps)
        recorded = sorted({e.timestamp for e in app.event_log.agreement_events(agreement_id)})

        for _ in range(3):
            as_of = signed_on + timedelta(hours=data.draw(st.integers(0, 60 * 24)))
            known_at = data.draw(st.sampled_from(recorded))
            fast, _ = app.compliance.by_stream_replay(agreement_id, "", as_of, known_at)
            full = app.compliance.by_full_replay(agreement_id, "", as_of, known_at)

            assert fast == full

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(rich_step, min_size=1, max_size=12), data=st.data())
    def test_compliance_from_rollups_equals_the_full_replay_however_far_the_rollups_have_got(
        self, ledger: tuple[LedgerApplication, ReadModels], steps: list[Any], data: st.DataObject
    ) -> None:
        app, models = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        signed_on = START - timedelta(days=data.draw(st.integers(0, 3)))
        app.commands.sign_agreement(agreement_id, _terms(latency=True), signed_on)
        measured = [
            ("measure minutes", data.draw(st.lists(minute_reading, min_size=20, max_size=200))),
            ("measure latency", data.draw(st.lists(latency_reading, min_size=20, max_size=200))),
        ]
        _apply(app, agreement_id, [*measured, *steps, *measured])
        lagging = BatchedProjectionRunner(
            models.engine, models.read_log, models.rollups, batch_size=2
        )
        for _ in range(data.draw(st.integers(0, 30))):
            lagging.run_once()
        recorded = sorted({e.timestamp for e in app.event_log.agreement_events(agreement_id)})

        for _ in range(3):
            as_of = signed_on + timedelta(minutes=data.draw(st.integers(0, 45 * 24 * 60)))
            known_at = data.draw(st.sampled_from(recorded) | st.just(recorded[-1]))
            fast, _ = app.compliance.from_rollups(agreement_id, "", as_of, known_at, models)
            full = app.compliance.by_full_replay(agreement_id, "", as_of, known_at)

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
