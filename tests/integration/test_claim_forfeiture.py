"""Forfeiture of unclaimed credits in the background rounds, on SQLite and PostgreSQL: at the
deadline, isolated per agreement, idempotent and safe across restarts.

The credit: April 2026, EUR 100.00, claims due within two billing cycles after April: May and
June, so the deadline is 1 July 2026 00:00 UTC (tests/integration/claim_ledgers.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from domain.claims import CreditForfeited
from domain.credit_lifecycle import CreditStatus, credit_state
from service.app.claims import CreditKey
from service.workers.claim_forfeiter import ClaimForfeiter
from tests.integration.claim_ledgers import (
    APRIL,
    DEADLINE,
    claims_app,
    sign_and_close_april,
)


def forfeitures(events: list[Any]) -> list[CreditForfeited]:
    return [e for e in events if isinstance(e, CreditForfeited)]


def test_an_unclaimed_credit_is_forfeited_at_its_deadline(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms)
        forfeiter = ClaimForfeiter(app, clock, 60)
        clock.now = DEADLINE - timedelta(microseconds=1)
        before = forfeiter.run_once()
        clock.now = DEADLINE
        at = forfeiter.run_once()
        events = app.claims.stream_events(APRIL)

    state = credit_state(events)
    assert (before, at) == (0, 1)
    assert state is not None
    assert (state.status, state.forfeited.amount) == (CreditStatus.FORFEITED, Decimal("100.00"))
    assert forfeitures(events)[0].deadline == DEADLINE


def test_a_second_round_and_a_restarted_forfeiter_forfeit_nothing_more(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms)
        clock.now = DEADLINE + timedelta(days=1)
        ClaimForfeiter(app, clock, 60).run_once()
    with claims_app(database_url) as (app, clock):
        clock.now = DEADLINE + timedelta(days=2)
        restarted = ClaimForfeiter(app, clock, 60)

        counts = (restarted.run_once(), restarted.run_once())
        events = app.claims.stream_events(APRIL)

    assert counts == (0, 0)
    assert len(forfeitures(events)) == 1


def test_a_claimed_credit_is_not_forfeited(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms)
        app.claims.claim(APRIL, "T-1", "")
        clock.now = DEADLINE + timedelta(days=1)

        appended = ClaimForfeiter(app, clock, 60).run_once()

    assert appended == 0


def test_an_agreement_whose_forfeiture_fails_does_not_stop_the_others(
    database_url: str, make_terms: Callable[..., Any], monkeypatch: Any
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms, agreement_id="broken-1")
        sign_and_close_april(app, make_terms)
        clock.now = DEADLINE + timedelta(days=1)
        forfeiter = ClaimForfeiter(app, clock, 60)
        forfeits = forfeiter._forfeits
        real = forfeits.forfeit_due

        def failing(agreement_id: str, now: Any) -> Any:
            if agreement_id == "broken-1":
                raise RuntimeError("poisoned")
            return real(agreement_id, now)

        monkeypatch.setattr(forfeits, "forfeit_due", failing)

        appended = forfeiter.run_once()
        events = app.claims.stream_events(APRIL)
        broken = app.claims.stream_events(CreditKey("broken-1", "", "availability", "2026-04"))

    assert appended == 1
    assert len(forfeitures(events)) == 1 and not forfeitures(broken)
    assert [f.agreement_id for f in forfeiter.failing()] == ["broken-1"]


def test_an_agreement_without_a_claim_rule_forfeits_nothing(
    database_url: str, make_terms: Callable[..., Any]
) -> None:
    with claims_app(database_url) as (app, clock):
        sign_and_close_april(app, make_terms, rule=None)
        clock.now = DEADLINE + timedelta(days=400)

        appended = ClaimForfeiter(app, clock, 60).run_once()
        state = credit_state(app.claims.stream_events(APRIL))

    assert appended == 0
    assert state is not None and state.status is CreditStatus.APPROVED
