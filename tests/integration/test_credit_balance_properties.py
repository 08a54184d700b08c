"""Property: balances by state from the credit-lifecycle read model equal the full replay of the
log (domain/credit_balances.replay_balances) at random as_of and known_at, on SQLite and
PostgreSQL, over random histories of closes, recalculations, claims, decisions, settlements,
forfeits and time passing; and the read model projected in batches of any size is the same."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from domain.claim_decisions import SettlementOrder
from domain.claims import ClaimRule
from domain.credit_balances import replay_balances
from domain.credit_lifecycle import credit_state
from domain.errors import FailedPreconditionError, NotFoundError
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.terms import Fee, PeriodUnit
from projections.credit_balance_queries import balances_by_state, balances_now
from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner
from projections.tables import projection_tracking
from service.app.application import LedgerApplication
from service.app.claim_forfeits import Forfeits
from service.app.claims import CreditKey, Settling
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.credit_lifecycle_ledgers import FEBRUARY, JANUARY, minutes, monthly_terms
from tests.integration.service_histories import fresh_database

PROPERTY = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STARTED = datetime(2026, 3, 1, tzinfo=UTC)  # the record clock's start: January and February ended
FAR = datetime(2100, 1, 1, tzinfo=UTC)
LABELS = ("2026-01", "2026-02")
# (agreement, customer, currency, claim rule): one claim-driven, two approved when issued.
AGREEMENTS = (
    ("claims-a", "globex", "EUR", ClaimRule(deadline_days=45)),
    ("plain-b", "initech", "EUR", None),
    ("plain-c", "globex", "USD", None),
)
IDS = [a[0] for a in AGREEMENTS]


@dataclass
class History:
    """One example's application, its clock and a counter for unique ids."""

    app: LedgerApplication
    clock: SteppingClock
    made: int = 0

    def next_id(self, prefix: str) -> str:
        self.made += 1
        return f"{prefix}-{self.made}"


step = st.one_of(
    st.tuples(st.just("close"), st.sampled_from(IDS)),
    st.tuples(st.just("wait"), st.integers(0, 30)),
    st.tuples(st.just("late"), st.sampled_from(IDS), st.sampled_from(LABELS), st.booleans()),
    st.tuples(st.just("claim"), st.sampled_from(LABELS)),
    st.tuples(st.just("decide"), st.sampled_from(LABELS), st.sampled_from([None, 0, 40, 100])),
    st.tuples(
        st.just("settle"),
        st.sampled_from(IDS),
        st.sampled_from(LABELS),
        st.sampled_from([30, 100, 150]),
    ),
    st.tuples(st.just("forfeit")),
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request: pytest.FixtureRequest) -> str | None:
    """None for SQLite files, else the PostgreSQL server's URL."""
    return (
        None if request.param == "sqlite" else str(request.getfixturevalue("postgres_server_url"))
    )


@contextlib.contextmanager
def _ledger(url: str) -> Iterator[tuple[History, ReadModels]]:
    storage = parse_database_url(url)
    clock = SteppingClock(STARTED)
    app = open_application(storage, clock=clock)
    models = open_read_models(app, storage, create_tables=False)
    models.create()
    try:
        yield History(app, clock), models
    finally:
        models.stop()
        app.close()


def _sign(history: History, breached: list[bool]) -> None:
    """Sign the three agreements (EUR or USD 1,000.00 a month, 10% below 99.9%); each month
    drawn breached gets 10 readings at 595 / 600 = 99.17% (a credit of 100.00)."""
    for (agreement_id, customer, currency, rule), months in zip(
        AGREEMENTS, (breached[0:2], breached[2:4], breached[4:6]), strict=True
    ):
        fee = Fee(Money(Decimal("1000.00"), currency), PeriodUnit.MONTH)
        terms = monthly_terms(customer, fee=fee, claim_rule=rule)
        history.app.commands.sign_agreement(agreement_id, terms, JANUARY)
        for month, breach in zip((JANUARY, FEBRUARY), months, strict=True):
            if breach:
                history.app.ingest.record_measurements(agreement_id, minutes(month, 10))


def _apply(history: History, kind: str, args: list[Any]) -> None:
    app, clock = history.app, history.clock
    if kind == "close":
        app.commands.close_periods(args[0], clock.now)
    elif kind == "wait":
        clock.now += timedelta(days=args[0])
    elif kind == "late":
        agreement_id, label, good = args
        month = JANUARY if label == LABELS[0] else FEBRUARY
        at = to_epoch_us(month + timedelta(days=5, minutes=history.made))
        # 60,000 good lifts the month above 99.9%; 600 of 60,000 good breaches it deeply.
        reading = Measurement(
            "availability", history.next_id("late"), at, 60_000 if good else 600, 60_000
        )
        app.ingest.record_measurements(agreement_id, [reading])
        app.commands.recalculate_period(agreement_id, "availability", label)
    elif kind == "claim":
        app.claims.claim(_credit("claims-a", args[0]), history.next_id("T"), "evidence")
    elif kind == "decide":
        approved = None if args[1] is None else Money(Decimal(args[1]), "EUR").rounded()
        app.claims.decide(_credit("claims-a", args[0]), approved, "decided")
    elif kind == "settle":
        _settle(history, args[0], args[1], args[2])
    else:
        Forfeits(app).forfeit_due("claims-a", clock.now)


def _settle(history: History, agreement_id: str, label: str, percent: int) -> None:
    """Settle percent of what is outstanding (150%: more than is owed, refused)."""
    credit = _credit(agreement_id, label)
    state = credit_state(history.app.claims.stream_events(credit))
    if state is None:
        return
    amount = Money(state.outstanding.amount * percent / 100, state.currency).rounded()
    order = SettlementOrder(history.next_id("s"), "invoice", "INV-1", "2026-06-01", amount)
    history.app.claims.settle([Settling(credit, order)])


def _credit(agreement_id: str, label: str) -> CreditKey:
    return CreditKey(agreement_id, "", "availability", label)


def _whole_log(models: ReadModels) -> list[Any]:
    events: list[Any] = []
    after = 0
    while entries := models.read_log(after, 500):
        events.extend(entry.event() for entry in entries)
        after = entries[-1].position
    return events


@PROPERTY
@given(
    breached=st.lists(st.booleans(), min_size=6, max_size=6),
    steps=st.lists(step, min_size=1, max_size=12),
    batch_size=st.integers(1, 7),
    data=st.data(),
)
def test_balances_by_state_from_the_read_model_equal_the_full_replay(
    server: str | None,
    breached: list[bool],
    steps: list[Any],
    batch_size: int,
    data: st.DataObject,
) -> None:
    with fresh_database(server) as url, _ledger(url) as (history, models):
        _sign(history, breached)
        for kind, *args in [("close", "claims-a"), ("close", "plain-b"), *steps]:
            with contextlib.suppress(FailedPreconditionError, NotFoundError):
                _apply(history, kind, args)
        # Project the lifecycle in small batches, so credits are folded across batches.
        _reproject(models, batch_size)
        log = _whole_log(models)
        recorded = sorted({e.timestamp for e in log})
        instants = [JANUARY, FEBRUARY, datetime(2026, 3, 1, tzinfo=UTC), *recorded, FAR]

        for _ in range(4):
            as_of = data.draw(st.sampled_from(instants))
            known_at = data.draw(st.sampled_from([*recorded, FAR]))
            customer = data.draw(st.sampled_from(["", "globex", "initech"]))

            projected = balances_by_state(models.engine, as_of, known_at, customer)

            assert projected == replay_balances(log, as_of, known_at, customer)

        assert balances_now(models.engine) == replay_balances(log, FAR, FAR)


def _reproject(models: ReadModels, batch_size: int) -> None:
    """Empty the credit-lifecycle tables and project the log again in batches of batch_size."""
    projection = models.credit_lifecycle
    with models.engine.begin() as connection:
        for table in projection.tables:
            connection.execute(delete(table))
        connection.execute(
            update(projection_tracking)
            .where(projection_tracking.c.name == projection.name)
            .values(position=0)
        )
    BatchedProjectionRunner(models.engine, models.read_log, projection, batch_size).catch_up()
