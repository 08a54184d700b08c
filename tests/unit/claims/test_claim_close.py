"""A close under a claim rule writes the deadline and minimum on the period's PeriodClosed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from domain.claims import ClaimRule
from domain.credit_lifecycle import CreditStatus, credit_state
from domain.objectives import ObjectiveRules
from domain.period_results import PeriodClosed, PeriodEvent
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    History,
    daily,
    objective,
    only,
    terms,
    usd,
)


def april_closed(rule: ClaimRule | None, zone: str = "UTC") -> list[PeriodEvent]:
    agreement_terms = dataclasses.replace(
        terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)), zone=zone),
        claim_rule=rule,
    )
    history = History(agreement_terms)
    history.measure(daily(APR, 30, 998, 1000))  # 99.8% < 99.9: 10% of the fee
    return list(history.close(datetime(2026, 5, 2, tzinfo=UTC)))


def test_a_close_under_a_claim_rule_records_the_deadline_and_minimum() -> None:
    events = april_closed(
        ClaimRule(deadline_billing_cycles=2, minimum_amount=Decimal("25")), "Europe/Berlin"
    )

    closed = [e for e in events if isinstance(e, PeriodClosed) and e.period_label == "2026-04"]
    # April in Berlin ends 1 May 00:00 CEST; May and June after it: 1 July 00:00 CEST.
    assert closed[0].claim_deadline == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert closed[0].claim_minimum == usd("25.00")


def test_a_credit_closed_under_a_claim_rule_starts_eligible() -> None:
    events = april_closed(ClaimRule(deadline_days=30))

    state = credit_state(e for e in events if getattr(e, "period_label", "") == "2026-04")
    # April in UTC: 29,940 / 30,000 = 99.8% < 99.9 -> 10% x USD 1,000.00 = USD 100.00,
    # eligible until claimed.
    assert state is not None
    assert (state.status, state.eligible) == (CreditStatus.ELIGIBLE, usd("100.00"))


def test_a_close_without_a_claim_rule_records_no_deadline() -> None:
    events = april_closed(None)

    closed = only((e for e in events if getattr(e, "period_label", "") == "2026-04"), PeriodClosed)
    assert (closed.claim_deadline, closed.claim_minimum) == (None, None)
