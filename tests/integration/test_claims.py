"""Claims, decisions and settlements through the application, on SQLite and PostgreSQL.

The credit: April 2026 at 29,700 / 30,000 = 99.0% < 99.9 -> 10% x EUR 1,000.00 = EUR 100.00,
claim-driven (tests/integration/claim_ledgers.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.claim_decisions import SettlementOrder
from domain.claims import CreditSettled
from domain.credit_lifecycle import CreditStatus
from domain.errors import AlreadyExistsError, FailedPreconditionError, VersionConflictError
from domain.money import Money
from service.app.claims import Settling
from tests.integration.claim_ledgers import APRIL, DEADLINE, claims_app, sign_and_close_april


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def invoice(settlement_id: str, amount: str) -> SettlementOrder:
    return SettlementOrder(settlement_id, "invoice", "INV-7", "2026-06-01", eur(amount))


def test_a_credit_goes_from_eligible_to_settled(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, _):
        sign_and_close_april(app, make_terms)

        claimed = app.claims.claim(APRIL, "T-1", "status page shows 7h down")
        decided = app.claims.decide(APRIL, eur("60.00"), "only 4.2h were ours")
        [settled], _, _ = app.claims.settle([Settling(APRIL, invoice("s-1", "60.00"))])

    assert (claimed.state.status, claimed.state.claimed) == (CreditStatus.CLAIMED, eur("100.00"))
    assert (decided.state.approved, decided.state.denied) == (eur("60.00"), eur("40.00"))
    assert (settled.status, settled.outstanding) == (CreditStatus.SETTLED, eur("0.00"))


def test_a_claim_after_the_deadline_is_refused(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms)
        clock.now = DEADLINE + timedelta(days=1)

        with pytest.raises(FailedPreconditionError, match=r"deadline .* passed"):
            app.claims.claim(APRIL, "T-1", "")


def test_a_stale_expected_version_is_aborted(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, _):
        sign_and_close_april(app, make_terms)
        version = app.claims.claim(APRIL, "T-1", "").state.version

        with pytest.raises(VersionConflictError):
            app.claims.decide(APRIL, eur("100.00"), "", expected_version=version - 1)


def test_a_settlement_batch_over_the_approved_amount_appends_nothing(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, _):
        sign_and_close_april(app, make_terms)
        app.claims.claim(APRIL, "T-1", "")
        app.claims.decide(APRIL, eur("60.00"), "partly ours")

        with pytest.raises(FailedPreconditionError, match="exceed"):
            app.claims.settle(
                [Settling(APRIL, invoice("s-1", "50.00")), Settling(APRIL, invoice("s-2", "10.01"))]
            )
        events = app.claims.stream_events(APRIL)

    assert not [e for e in events if isinstance(e, CreditSettled)]


def test_a_settlement_id_is_used_once_per_credit(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, _):
        sign_and_close_april(app, make_terms)
        app.claims.claim(APRIL, "T-1", "")
        app.claims.decide(APRIL, eur("100.00"), "")
        app.claims.settle([Settling(APRIL, invoice("s-1", "30.00"))])

        with pytest.raises(AlreadyExistsError):
            app.claims.settle([Settling(APRIL, invoice("s-1", "30.00"))])


def test_the_agreement_customer_may_name_a_customer_based_credit(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, _):
        sign_and_close_april(app, make_terms)

        after = app.claims.claim(dataclasses.replace(APRIL, customer_id="globex"), "T-1", "")

    assert after.state.claimed == eur("100.00")
