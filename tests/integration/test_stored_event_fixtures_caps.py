"""Events of the cap across objectives stored in 2026-12 still decode to the same facts.

stored_events_2026_12_caps.json was written by the application itself on a SQLite file (record
clock from 2026-06-01, a second a step) and copied from its events table in log order: terms
with a cap of 75% of the fee, two January credits (availability 100%, latency 50% of EUR
1,000.00) and the two CreditCapped entries of their close."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.credit_cap_oracle import recorded_reductions, replayed_reductions
from domain.credit_caps import CreditCap, CreditCapped
from domain.money import Money
from domain.period_results import CreditIssued, PeriodClosed
from tests.integration.stored_fixtures import decode_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_caps.json"


@pytest.fixture(scope="module")
def cap_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("caps") / "ledger.sqlite3"
    return decode_fixture(FIXTURE, database)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_every_stored_cap_event_type_of_2026_12_still_decodes(cap_events: list[Any]) -> None:
    assert [type(event) for event in cap_events] == [
        Agreement.Signed,
        PeriodClosed,
        CreditIssued,
        PeriodClosed,
        CreditIssued,
        CreditCapped,
        CreditCapped,
    ]


def test_stored_terms_keep_their_cap_across_objectives(cap_events: list[Any]) -> None:
    assert cap_events[0].terms.credit_cap == CreditCap(percent_of_fee=Decimal(75))


def test_a_stored_cap_entry_keeps_its_fee_period_cap_and_reductions(cap_events: list[Any]) -> None:
    # Cap 75% x 1,000.00 = 750.00 over 1,000.00 + 500.00 = 1,500.00: 75,000 cents as
    # 100,000 : 50,000 -> 50,000 and 25,000 exactly; latency keeps 250.00 of 500.00.
    latency = cap_events[-1]

    assert (latency.objective_id, latency.period_label, latency.fee_period_label) == (
        "latency",
        "2026-01",
        "2026-01",
    )
    assert (latency.cap, latency.credits_before_cap) == (eur("750.00"), eur("1500.00"))
    assert (latency.reduction_before, latency.reduction_after, latency.delta) == (
        eur("0.00"),
        eur("250.00"),
        eur("-250.00"),
    )
    assert latency.allocation_line.startswith("fee period 2026-01: cap EUR 750.00")


def test_stored_cap_entries_equal_a_fresh_allocation_of_the_stored_credits(
    cap_events: list[Any],
) -> None:
    agreement = Agreement.Signed.mutate(cap_events[0], None)
    assert agreement is not None
    period_events = cap_events[1:]

    assert recorded_reductions(period_events) == replayed_reductions(agreement, period_events)
    assert sorted(r.amount for r in recorded_reductions(period_events).values()) == [
        Decimal("250.00"),
        Decimal("500.00"),
    ]
