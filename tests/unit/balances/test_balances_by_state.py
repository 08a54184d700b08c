"""Balances by state from the log (domain/credit_balances.py, the oracle): which money events
count at as_of as known at known_at, folded per credit, summed per customer and currency."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.credit_balances import BUCKETS, StateBalance, replay_balances
from domain.money import Money
from domain.period_results import PeriodEvent
from tests.unit.claims.credit_streams import AGREEMENT, DEADLINE, MAY, CreditStream

FAR = datetime(2100, 1, 1, tzinfo=UTC)


def minute(n: float) -> datetime:
    """The record time of the stream's event n (CreditStream records event n at MAY + n min)."""
    return MAY + timedelta(minutes=n)


@pytest.fixture
def signed(sign: Callable[..., Agreement]) -> Agreement.Signed:
    """The signing of AGREEMENT, whose customer is globex."""
    [event] = sign(agreement_id=AGREEMENT).collect_events()
    assert isinstance(event, Agreement.Signed)
    return event


def amounts(balance: StateBalance) -> dict[str, str]:
    """The balance's non-zero amounts, as text."""
    return {b: str(getattr(balance, b).amount) for b in BUCKETS if getattr(balance, b).amount}


def only(log: list[Any], as_of: datetime, known_at: datetime) -> dict[str, str]:
    [balance] = replay_balances(log, as_of, known_at)
    assert (balance.customer_id, balance.currency) == ("globex", "EUR")
    return amounts(balance)


def partly_approved_then_settled() -> list[PeriodEvent]:
    """April's credit of EUR 100.00 under a claim rule (events recorded MAY + 1..5 minutes):
    closed (1), issued 100.00 (2), claimed 100.00 (3), decided 60.00 approved and 40.00
    denied (4), settled 50.00 on invoice INV-1 (5)."""
    return (
        CreditStream()
        .closed()
        .issued("100.00")
        .claimed("100.00")
        .decided("60.00", "40.00")
        .settled("50.00")
        .events
    )


def test_a_claimed_credit_reads_claimed_until_the_decision_is_recorded(
    signed: Agreement.Signed,
) -> None:
    """Known at 3.5 minutes: issued and claimed count, the decision does not: 100.00 claimed."""
    log = [signed, *partly_approved_then_settled()]

    assert only(log, FAR, minute(3.5)) == {"earned": "100.00", "claimed": "100.00"}


def test_a_partial_approval_then_a_settlement_leaves_the_rest_outstanding(
    signed: Agreement.Signed,
) -> None:
    """Everything known: approved 60.00, denied 40.00 (60 + 40 = earned 100.00), settled
    50.00, outstanding 60.00 - 50.00 = 10.00."""
    log = [signed, *partly_approved_then_settled()]

    assert only(log, FAR, FAR) == {
        "earned": "100.00",
        "approved": "60.00",
        "denied": "40.00",
        "settled": "50.00",
        "outstanding": "10.00",
    }


def test_a_settlement_counts_from_when_it_was_recorded(signed: Agreement.Signed) -> None:
    """As of 4.5 minutes the settlement (recorded at 5) is not yet effective: approved 60.00
    all outstanding, as known at any later instant."""
    log = [signed, *partly_approved_then_settled()]

    assert only(log, minute(4.5), FAR) == {
        "earned": "100.00",
        "approved": "60.00",
        "denied": "40.00",
        "outstanding": "60.00",
    }


def test_a_credit_counts_from_the_end_of_its_period(signed: Agreement.Signed) -> None:
    """April ends 1 May 00:00: as of one microsecond earlier there is no credit at all."""
    log = [signed, *partly_approved_then_settled()]

    assert replay_balances(log, MAY - timedelta(microseconds=1), FAR) == []
    assert only(log, MAY, minute(2)) == {"earned": "100.00", "eligible": "100.00"}


def test_a_forfeit_counts_from_its_deadline(signed: Agreement.Signed) -> None:
    """An unclaimed 100.00 forfeited at the deadline (1 July): eligible as of the day before,
    forfeited as of the deadline."""
    log = [signed, *CreditStream().closed().issued("100.00").forfeited("100.00").events]

    assert only(log, DEADLINE - timedelta(days=1), FAR) == {
        "earned": "100.00",
        "eligible": "100.00",
    }
    assert only(log, DEADLINE, FAR) == {"earned": "100.00", "forfeited": "100.00"}


def test_without_a_claim_rule_earned_is_approved_and_outstanding(
    signed: Agreement.Signed,
) -> None:
    """Issued 100.00, then a recalculation to 80.00 (delta -20.00): 80.00 earned, approved and
    outstanding."""
    stream = CreditStream(claim_driven=False).closed().issued("100.00").adjusted("100.00", "80.00")

    assert only([signed, *stream.events], FAR, FAR) == {
        "earned": "80.00",
        "approved": "80.00",
        "outstanding": "80.00",
    }


def test_a_subscribers_credit_is_its_own_balance(signed: Agreement.Signed) -> None:
    """A period event naming customer initech is initech's, not the agreement's customer's."""
    events = [
        dataclasses.replace(e, customer_id="initech")
        for e in CreditStream(claim_driven=False).closed().issued("25.00").events
    ]

    [balance] = replay_balances([signed, *events], FAR, FAR)

    assert (balance.customer_id, balance.approved) == ("initech", Money(Decimal("25.00"), "EUR"))


def test_balances_are_summed_per_customer_and_filtered_by_customer_and_currency(
    signed: Agreement.Signed,
) -> None:
    """Two credits of globex (100.00 approved, 30.00 approved): 130.00; a filter on another
    customer or currency finds nothing."""
    first = CreditStream(claim_driven=False).closed().issued("100.00").events
    second = [
        dataclasses.replace(e, period_label="2026-05")
        for e in CreditStream(claim_driven=False).closed().issued("30.00").events
    ]
    log = [signed, *first, *second]

    [balance] = replay_balances(log, FAR, FAR, customer_id="globex", currency="EUR")

    assert amounts(balance) == {"earned": "130.00", "approved": "130.00", "outstanding": "130.00"}
    assert replay_balances(log, FAR, FAR, customer_id="initech") == []
    assert replay_balances(log, FAR, FAR, currency="USD") == []


def test_a_zero_balance_shows_every_amount_at_the_minor_unit() -> None:
    zero = StateBalance.zero("globex", "JPY")

    assert {str(getattr(zero, b).amount) for b in BUCKETS} == {"0"}
    assert str(StateBalance.zero("globex", "EUR").earned.amount) == "0.00"


def worked_example() -> list[PeriodEvent]:
    """docs/semantics.md "Balances by state": April's EUR 100.00 under a claim rule, closed and
    issued on 1 May, claimed on 10 May, decided on 20 May (60.00 approved, 40.00 denied),
    settled 50.00 on invoice INV-1 on 1 June, recalculated to 70.00 on 10 June (-30.00)."""
    stream = (
        CreditStream()
        .closed()
        .issued("100.00")
        .claimed("100.00")
        .decided("60.00", "40.00")
        .settled("50.00")
        .adjusted("100.00", "70.00")
    )
    recorded = [
        MAY + timedelta(minutes=1),
        MAY + timedelta(minutes=2),
        datetime(2026, 5, 10, tzinfo=UTC),
        datetime(2026, 5, 20, tzinfo=UTC),
        datetime(2026, 6, 1, tzinfo=UTC),
        datetime(2026, 6, 10, tzinfo=UTC),
    ]
    return [
        dataclasses.replace(event, timestamp=at)
        for event, at in zip(stream.events, recorded, strict=True)
    ]


@pytest.mark.parametrize(
    ("as_of", "known_at", "expected"),
    [
        # April has not ended: nothing counts.
        ("2026-04-30", "2026-07-01", {}),
        # Issued and claimed count (effective 1 May and 10 May).
        ("2026-05-15", "2026-05-15", {"earned": "100.00", "claimed": "100.00"}),
        # Known later, the decision of 20 May still does not count as of 15 May.
        ("2026-05-15", "2026-05-25", {"earned": "100.00", "claimed": "100.00"}),
        # The recalculation counts from April's end: 100.00 - 30.00 taken from claimed.
        ("2026-05-15", "2026-06-11", {"earned": "70.00", "claimed": "70.00"}),
        # Decided: 60.00 + 40.00; outstanding 60.00 - 0.00.
        (
            "2026-05-25",
            "2026-05-25",
            {"earned": "100.00", "approved": "60.00", "denied": "40.00", "outstanding": "60.00"},
        ),
        # Settled 50.00: outstanding 60.00 - 50.00 = 10.00.
        (
            "2026-06-05",
            "2026-06-05",
            {
                "earned": "100.00",
                "approved": "60.00",
                "denied": "40.00",
                "settled": "50.00",
                "outstanding": "10.00",
            },
        ),
        # -30.00 is taken from denied (nothing eligible or claimed): 40.00 - 30.00 = 10.00.
        (
            "2026-06-15",
            "2026-06-15",
            {
                "earned": "70.00",
                "approved": "60.00",
                "denied": "10.00",
                "settled": "50.00",
                "outstanding": "10.00",
            },
        ),
    ],
)
def test_the_worked_example_of_the_semantics(
    signed: Agreement.Signed, as_of: str, known_at: str, expected: dict[str, str]
) -> None:
    log = [signed, *worked_example()]
    at = {
        name: datetime.fromisoformat(day).replace(tzinfo=UTC)
        for name, day in (("a", as_of), ("k", known_at))
    }

    balances = replay_balances(log, at["a"], at["k"])

    assert [amounts(b) for b in balances] == ([expected] if expected else [])
