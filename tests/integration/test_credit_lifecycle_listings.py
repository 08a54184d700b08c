"""ListCredits by state, the credit export's states, invoices and UTC offsets, and a service
SLA's subscribers' balances by state, from the read models on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.claim_decisions import SettlementOrder
from domain.credit_policies import BandsRule, BonusRule, CreditBand, CreditPolicy
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.terms import Objective, PeriodUnit
from projections.credit_balance_queries import balances_by_state
from projections.exports import write_credits_csv
from projections.queries import CreditFilter, list_credits
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.app.claims import Settling
from service.bootstrap import open_read_models
from service.store.storage import parse_database_url
from tests.integration.claim_ledgers import APR, APRIL, MAY, claims_app, sign_and_close_april
from tests.integration.credit_lifecycle_ledgers import minutes
from tests.integration.service_log import MemoryLog, memory_read_models
from tests.integration.test_service_read_models import _two_subscribers

FAR = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
    """An application whose clock stands an hour after April's end, with read models."""
    with claims_app(database_url) as (app, _):
        models = open_read_models(app, parse_database_url(database_url), create_tables=False)
        models.create()
        yield app, models
        models.stop()


def _eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def _states(models: ReadModels, *states: str) -> list[tuple[str, str, str]]:
    models.catch_up()
    rows = list_credits(models.engine, CreditFilter(states=states), 0, 100)
    return [(r.period_label, r.kind, r.state) for r in rows]


def test_a_claim_driven_credit_is_listed_as_eligible_until_it_is_claimed(
    ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
) -> None:
    app, models = ledger
    sign_and_close_april(app, make_terms)

    assert _states(models, "eligible") == [("2026-04", "credit_issued", "eligible")]
    app.claims.claim(APRIL, "T-1", "status page")
    assert _states(models, "eligible") == []
    assert _states(models, "claimed", "approved") == [("2026-04", "credit_issued", "claimed")]


def test_a_credit_without_a_claim_rule_is_listed_as_approved(
    ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
) -> None:
    app, models = ledger
    sign_and_close_april(app, make_terms, rule=None)

    assert _states(models) == [("2026-04", "credit_issued", "approved")]
    assert _states(models, "eligible", "claimed") == []


def test_bonus_lines_have_no_state_and_a_state_filter_leaves_them_out(
    ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
) -> None:
    """April at 100% of 99.9 with a bonus above 99.95%: a bonus line, no credit."""
    app, models = ledger
    policy = CreditPolicy(
        BandsRule((CreditBand(Decimal("99.9"), Decimal(10)),)),
        bonus=BonusRule(Decimal("99.95"), Decimal(5)),
    )
    objective = Objective(
        "availability",
        "availability",
        Decimal("99.9"),
        PeriodUnit.MONTH,
        rules=ObjectiveRules(credit_policy=policy),
    )
    terms = make_terms(time_zone="UTC", term_start=APR, objectives=(objective,))
    app.commands.sign_agreement("bonus-1", terms, APR)
    app.ingest.record_measurements("bonus-1", [m for m in minutes(APR, 2) if m.good == 60])
    app.commands.close_periods("bonus-1", MAY)

    assert _states(models) == [("2026-04", "bonus_earned", "")]
    assert _states(models, "approved", "void") == []


def test_the_export_carries_states_invoices_and_utc_offsets(
    ledger: tuple[LedgerApplication, ReadModels], make_terms: Callable[..., Any]
) -> None:
    """Claimed, approved in full (EUR 100.00) and settled 40.00 on INV-7: the line's credit is
    approved (60.00 outstanding), invoiced on INV-7 of 2026-06-01; its times are UTC, +00:00."""
    app, models = ledger
    sign_and_close_april(app, make_terms)
    app.claims.claim(APRIL, "T-1", "status page")
    app.claims.decide(APRIL, None, "ours")
    order = SettlementOrder("s-1", "invoice", "INV-7", "2026-06-01", _eur("40.00"))
    app.claims.settle([Settling(APRIL, order)])
    models.catch_up()
    output = io.StringIO()

    write_credits_csv(models.engine, CreditFilter(), output)

    [line] = list(csv.DictReader(io.StringIO(output.getvalue())))
    assert (line["state"], line["invoice_references"]) == ("approved", "INV-7 2026-06-01")
    window_start = datetime.fromisoformat(line["window_start"])
    recorded_at = datetime.fromisoformat(line["recorded_at"])
    assert line["window_start"] == "2026-04-01T00:00:00+00:00"
    assert window_start == APR
    assert recorded_at.utcoffset() == timedelta(0)
    assert MAY < recorded_at < MAY + timedelta(hours=2)  # the clock stands at MAY + 1 h


def test_a_service_slas_subscribers_credits_are_their_own_balances_by_state(
    database_url: str,
) -> None:
    """From the service's export (tests/integration/test_service_read_models.py): initech is
    credited 10.00; globex 125.00 + 50.00 - 125.00 = 50.00; no claim rule, so all approved."""
    log = MemoryLog()
    log.extend(_two_subscribers().events)
    with memory_read_models(database_url, log) as models:
        models.catch_up()
        balances = balances_by_state(models.engine, FAR, FAR)

    assert [(b.customer_id, b.earned, b.approved, b.outstanding) for b in balances] == [
        ("globex", _eur("50.00"), _eur("50.00"), _eur("50.00")),
        ("initech", _eur("10.00"), _eur("10.00"), _eur("10.00")),
    ]
