"""Worked examples: termination."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.period_results import CreditIssued, PeriodClosed
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    JUL,
    History,
    daily,
    dec,
    objective,
    only,
    reading,
    terms,
    usd,
)

TERMINATION = datetime(2026, 4, 11, tzinfo=UTC)  # after 10 of April's 30 days


def terminated_history(fee: Money) -> History:
    """April 1-10 (one day 950 / 1,000, the rest all good), then a bad reading on 04-20."""
    history = History(terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)), fee=fee))
    readings = daily(APR, 10, 1000, 1000)
    readings[4] = reading(datetime(2026, 4, 5, 12, tzinfo=UTC), 950, 1000)
    readings.append(reading(datetime(2026, 4, 20, 12, tzinfo=UTC), 0, 1000))
    history.measure(readings)
    history.terminate(TERMINATION)
    return history


def test_a_period_cut_by_termination_is_judged_on_the_time_it_ran_with_a_prorated_fee() -> None:
    history = terminated_history(usd("1500.00"))

    events = history.close(JUL)

    # Window [04-01, 04-11): the 04-20 reading (after termination) does not count.
    # 9 x 1,000 + 950 = 9,950 / 10,000 = 99.5% -> breached, band [99.0, 99.9) -> 10%.
    # Period fee: USD 1,500.00 x 10 days / 30 days = USD 500.00 exactly.
    # Credit: 10% x 500.00 = USD 50.00. May and June come after the termination: not closed.
    closed = only(events, PeriodClosed)
    assert closed.period_label == "2026-04"
    assert (closed.window_start, closed.window_end) == (APR, TERMINATION)
    assert closed.period_fee == usd("500")
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(9950, 10000)
    assert only(events, CreditIssued).amount == usd("50.00")


def test_the_final_partial_period_is_due_when_the_termination_takes_effect() -> None:
    history = terminated_history(usd("1500.00"))

    events = history.close(TERMINATION)

    # The window ends at the termination instant, so it can close then, not at month end.
    assert only(events, PeriodClosed).window_end == TERMINATION


def test_a_prorated_fee_that_does_not_terminate_is_exact_and_only_the_credit_is_rounded() -> None:
    history = terminated_history(usd("1000.00"))

    events = history.close(JUL)

    # Period fee: 1,000.00 x 10 / 30 = 333.333... held to 50 significant digits (3 + 47 threes).
    # Credit: 10% of it = 33.3333... -> rounded half-even once to USD 33.33.
    assert only(events, PeriodClosed).period_fee == Money(Decimal("333." + "3" * 47), "USD")
    assert only(events, CreditIssued).amount == usd("33.33")
