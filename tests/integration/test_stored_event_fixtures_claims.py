"""Stored events of the claim lifecycle (December 2026) still decode to the same facts.

The fixture was written by the application itself on a SQLite file with a stepping record clock
(a second an event): tests/integration/claim_ledgers.py's agreement, April claimed, denied,
approved after a dispute upheld, and settled on an invoice and a write-off; a second agreement's
April credit forfeited at its deadline. Copied from its events table in log order, its readings
left out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.claims import ClaimDecided, ClaimRule, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_lifecycle import CreditStatus, credit_state
from domain.money import Money
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed, PeriodEvent
from tests.integration.stored_fixtures import decode_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_claims.json"
DEADLINE = datetime(2026, 7, 1, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.fixture(scope="module")
def claim_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("claims") / "ledger.sqlite3"
    return decode_fixture(FIXTURE, database)


def test_every_stored_claim_event_type_of_2026_12_still_decodes(claim_events: list[Any]) -> None:
    assert [type(event) for event in claim_events] == [
        Agreement.Signed,
        PeriodClosed,
        BreachDetected,
        CreditIssued,
        CreditClaimed,
        ClaimDecided,
        ClaimDecided,
        CreditSettled,
        CreditSettled,
        Agreement.Signed,
        PeriodClosed,
        BreachDetected,
        CreditIssued,
        CreditForfeited,
    ]


def test_a_stored_claim_rule_and_close_keep_the_deadline_and_minimum(
    claim_events: list[Any],
) -> None:
    signed, closed = claim_events[0], claim_events[1]

    assert signed.terms.claim_rule == ClaimRule(
        deadline_billing_cycles=2, minimum_amount=Decimal("20.00")
    )
    assert (closed.claim_deadline, closed.claim_minimum) == (DEADLINE, eur("20.00"))


def test_stored_claims_decisions_and_settlements_keep_their_fields(
    claim_events: list[Any],
) -> None:
    claimed, denied, upheld, invoiced, written_off = claim_events[4:9]

    assert (claimed.claim_reference, claimed.evidence, claimed.amount) == (
        "T-1",
        "status page: 7 hours down",
        eur("100.00"),
    )
    assert (denied.approved, denied.denied, denied.dispute_id) == (
        eur("0.00"),
        eur("100.00"),
        "",
    )
    assert (upheld.approved, upheld.dispute_id) == (eur("100.00"), "dispute-1")
    assert (invoiced.method, invoiced.invoice_reference, invoiced.invoice_date) == (
        "invoice",
        "INV-2026-06",
        "2026-06-01",
    )
    assert (written_off.method, written_off.amount) == ("written_off", eur("40.00"))


def test_stored_credits_fold_to_the_same_states(claim_events: list[Any]) -> None:
    periods = [e for e in claim_events if isinstance(e, PeriodEvent)]
    globex = credit_state(e for e in periods if e.agreement_id == "globex-claims")
    initech = credit_state(e for e in periods if e.agreement_id == "initech-claims")

    assert globex is not None and initech is not None
    assert (globex.status, globex.settled, globex.outstanding) == (
        CreditStatus.SETTLED,
        eur("100.00"),
        eur("0.00"),
    )
    assert (initech.status, initech.forfeited) == (CreditStatus.FORFEITED, eur("100.00"))
    assert claim_events[-1].deadline == DEADLINE
