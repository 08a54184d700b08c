"""Balances by state from the credit-lifecycle read model, on SQLite and PostgreSQL, against
the replay oracle and hand-computed figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.credit_balances import BUCKETS, StateBalance, replay_balances
from domain.money import Money
from projections.credit_balance_queries import balances_by_state, balances_now
from projections.read_models import ReadModels
from projections.runner import checksum
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.credit_lifecycle_ledgers import (
    FEBRUARY,
    MARCH,
    RECORDED_FROM,
    breach_two_months,
    lift_january,
    whole_log,
)

FAR = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
    storage = parse_database_url(database_url)
    app = open_application(storage, clock=SteppingClock(RECORDED_FROM))
    models = open_read_models(app, storage, create_tables=False)
    models.create()
    yield app, models
    models.stop()
    app.close()


def _eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def _amounts(balance: StateBalance) -> dict[str, str]:
    return {name: str(getattr(balance, name).amount) for name in BUCKETS}


def test_credits_without_a_claim_rule_are_approved_earned_and_outstanding(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    """Two months of EUR 100.00 each: earned = approved = outstanding = 200.00, nothing
    eligible, claimed, denied, forfeited or settled."""
    app, models = ledger
    breach_two_months(app, "acme-1")
    models.catch_up()

    [balance] = balances_by_state(models.engine, FAR, FAR, "globex")

    assert (balance.customer_id, balance.currency) == ("globex", "EUR")
    assert _amounts(balance) == {
        "earned": "200.00",
        "eligible": "0.00",
        "claimed": "0.00",
        "approved": "200.00",
        "denied": "0.00",
        "forfeited": "0.00",
        "settled": "0.00",
        "outstanding": "200.00",
    }


def test_a_credit_counts_from_the_end_of_its_period(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    """As of 15 February only January (ended 1 February) has ended: earned 100.00."""
    app, models = ledger
    breach_two_months(app, "acme-1")
    models.catch_up()

    [balance] = balances_by_state(models.engine, FEBRUARY + timedelta(days=14), FAR)

    assert balance.earned == _eur("100.00")


def test_nothing_counts_before_the_close_was_recorded(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    """Known at the record clock's start, before the close: no credit at all."""
    app, models = ledger
    breach_two_months(app, "acme-1")
    models.catch_up()

    assert balances_by_state(models.engine, FAR, RECORDED_FROM) == []


def test_a_recalculation_counts_from_when_it_was_recorded(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    """January's credit is taken back (-100.00): known before the recalculation the customer
    is owed 200.00, known after it 200.00 - 100.00 = 100.00, at the same as_of (after March)."""
    app, models = ledger
    breach_two_months(app, "acme-1")
    models.catch_up()
    before = app.now()
    lift_january(app, "acme-1")
    models.catch_up()

    [then] = balances_by_state(models.engine, MARCH, before)
    [now] = balances_by_state(models.engine, MARCH, FAR)

    assert (then.earned, then.outstanding) == (_eur("200.00"), _eur("200.00"))
    assert (now.earned, now.outstanding) == (_eur("100.00"), _eur("100.00"))


def test_balances_from_the_read_model_equal_the_full_replay(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    app, models = ledger
    breach_two_months(app, "acme-1")
    breach_two_months(app, "acme-2", customer="initech")
    lift_january(app, "acme-1")
    models.catch_up()

    for as_of in (FEBRUARY, MARCH, FAR):
        projected = balances_by_state(models.engine, as_of, FAR)

        assert projected == replay_balances(whole_log(models), as_of, FAR)


def test_a_rebuild_from_the_log_gives_the_same_rows(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    app, models = ledger
    breach_two_months(app, "acme-1")
    lift_january(app, "acme-1")
    models.catch_up()
    before = checksum(models.engine)

    models.rebuild()

    assert checksum(models.engine) == before
    assert models.audit().first_difference is None


def test_balances_now_sum_the_credits_states_as_the_fold_of_every_event_does(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    """globex: 200.00 - 100.00 = 100.00 after January's recalculation; initech 200.00."""
    app, models = ledger
    breach_two_months(app, "acme-1")
    breach_two_months(app, "acme-2", customer="initech")
    lift_january(app, "acme-1")
    models.catch_up()

    now = balances_now(models.engine)

    assert now == balances_by_state(models.engine, FAR, FAR)
    assert [(b.customer_id, b.earned) for b in now] == [
        ("globex", _eur("100.00")),
        ("initech", _eur("200.00")),
    ]
    assert balances_now(models.engine, "initech", "EUR") == now[1:]
    assert balances_now(models.engine, currency="USD") == []
