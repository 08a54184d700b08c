"""Worked examples: a closed period's result as known at known_at (domain/period_history.py),
and GetCompliance's closed result inside it, each computed by hand in the comments.

The agreement (tests/unit/worked_examples/builders.py): USD 1,000.00 a month, 99.9% monthly
availability from April 2026 in UTC, cloud bands (below 99.9 -> 10%). April 1-20 arrive on time,
1,000 / 1,000 a day but 04-05 with 970: 19,970 / 20,000 = 99.85% < 99.9 -> BREACHED, 10% of USD
1,000.00 = USD 100.00. Ten late days of 1,000 / 1,000 lift it to 29,970 / 30,000 = 99.9%, not
below 99.9 -> MET after a recalculation: the breach is retracted and the credit adjusted by
-100.00. Log positions are the events' places in the log, from 1.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.claim_decisions import CreditName, claim, decide
from domain.claims import ClaimRule
from domain.compliance import Status
from domain.objectives import ObjectiveRules
from domain.period_history import PeriodOutcome, period_outcome
from domain.period_results import PeriodEvent
from tests.unit.worked_examples.builders import (
    APR,
    BONUS_POLICY,
    CLOUD_POLICY,
    DAY,
    MAY,
    History,
    availability_history,
    daily,
    dec,
    objective,
    reading,
    terms,
    usd,
)

CLOSED_AT = datetime(2026, 5, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 5, 3, tzinfo=UTC)
RECALCULATED_AT = datetime(2026, 5, 4, tzinfo=UTC)
MID_APRIL = datetime(2026, 4, 15, 12, tzinfo=UTC)


def closed_april(history: History | None = None) -> History:
    """April 1-20 on time (04-05: 970 / 1,000); April closed at CLOSED_AT."""
    history = history or availability_history()
    readings = daily(APR, 20, 1000, 1000)
    readings[4] = reading(datetime(2026, 4, 5, 12, tzinfo=UTC), 970, 1000)
    history.measure(readings, at=datetime(2026, 5, 1, 0, 30, tzinfo=UTC))
    history.close(MAY, at=CLOSED_AT)
    return history


def recalculated_april() -> History:
    """closed_april, then ten late days of 1,000 / 1,000 and April recalculated."""
    history = closed_april()
    history.measure(daily(APR + 20 * DAY, 10, 1000, 1000), at=LATE)
    history.recalculate("availability", "2026-04", at=RECALCULATED_AT)
    return history


def april(history: History, known_at: datetime) -> PeriodOutcome | None:
    """April's result from its stream's events, each at its place in the log."""
    logged = [
        (position, event)
        for position, event in enumerate(history.events, start=1)
        if isinstance(event, PeriodEvent) and event.period_label == "2026-04"
    ]
    return period_outcome(logged, known_at)


def test_a_closed_breached_month_has_the_close_figures_its_breach_and_its_credit() -> None:
    history = closed_april()
    close_position = next(
        i for i, e in enumerate(history.events, start=1) if isinstance(e, PeriodEvent)
    )

    outcome = april(history, CLOSED_AT)

    # 19,970 / 20,000 = 99.85% < 99.9 -> breached; 10% of USD 1,000.00 = USD 100.00, approved
    # when issued (no claim rule).
    assert outcome is not None
    [figures] = outcome.figures
    assert (outcome.status, (figures.good, figures.total), figures.attained) == (
        "breached",
        dec(19970, 20000),
        Decimal("99.850000"),
    )
    assert [(b.track, b.retracted) for b in outcome.breaches] == [("scheduled", False)]
    assert [(c.line.kind, c.line.amount, c.state) for c in outcome.credits] == [
        ("credit_issued", usd("100.00"), "approved")
    ]
    assert (outcome.closed_at, outcome.closed_position, outcome.recalculations) == (
        CLOSED_AT,
        close_position,
        (),
    )


def test_a_month_recalculated_to_met_has_the_figures_after_and_its_credit_void() -> None:
    history = recalculated_april()

    outcome = april(history, RECALCULATED_AT)

    # After: 29,970 / 30,000 = 99.9%, not below 99.9 -> met; the breach retracted; the credit
    # 100.00 + (-100.00) = 0.00 owed: void, on both lines.
    assert outcome is not None
    [figures] = outcome.figures
    assert (outcome.status, (figures.good, figures.total)) == ("met", dec(29970, 30000))
    assert [b.retracted for b in outcome.breaches] == [True]
    assert [(c.line.kind, c.line.amount, c.state) for c in outcome.credits] == [
        ("credit_issued", usd("100.00"), "void"),
        ("credit_adjusted", usd("-100.00"), "void"),
    ]
    [recalculation] = outcome.recalculations
    assert (recalculation.status_before, recalculation.status_after) == ("breached", "met")
    assert (recalculation.before[0].good, recalculation.after[0].good) == dec(19970, 29970)
    assert recalculation.recorded_at == RECALCULATED_AT


def test_a_month_known_before_its_recalculation_is_still_the_close() -> None:
    history = recalculated_april()

    outcome = april(history, RECALCULATED_AT - timedelta(microseconds=1))

    # The recalculation was recorded at RECALCULATED_AT: one microsecond before, April is as
    # it was closed.
    assert outcome is not None
    assert (outcome.status, outcome.recalculations, len(outcome.credits)) == ("breached", (), 1)


def test_a_month_known_before_its_close_has_no_result() -> None:
    history = recalculated_april()

    assert april(history, CLOSED_AT - timedelta(microseconds=1)) is None


def test_a_claimed_credit_is_listed_claimed_then_approved_once_decided_in_part() -> None:
    rule = ClaimRule(deadline_days=30)
    history = closed_april(
        History(
            dataclasses.replace(
                terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY))),
                claim_rule=rule,
            )
        )
    )
    stream = [e for e in history.events if isinstance(e, PeriodEvent)]
    claimed = claim(stream, "T-1", "", CLOSED_AT + DAY, CreditName("April's credit", "credit"))
    history.events.append(claimed)
    decided = decide(
        [*stream, claimed],
        usd("60.00"),
        "3h ours",
        CLOSED_AT + 2 * DAY,
        CreditName("credit", "credit"),
    )
    history.events.append(decided)

    eligible = april(history, CLOSED_AT)
    claimed_state = april(history, CLOSED_AT + DAY)
    decided_state = april(history, CLOSED_AT + 2 * DAY)

    # Under a claim rule the USD 100.00 is eligible at close, claimed a day later; then 60.00
    # approved and 40.00 denied: approved (something approved, not settled).
    assert [o.credits[0].state for o in (eligible, claimed_state, decided_state) if o] == [
        "eligible",
        "claimed",
        "approved",
    ]


def test_a_bonus_line_carries_no_credit_state() -> None:
    history = availability_history(BONUS_POLICY)
    history.measure(daily(APR, 30, 10000, 10000))
    history.close(MAY, at=CLOSED_AT)

    outcome = april(history, CLOSED_AT)

    # 300,000 / 300,000 = 100% >= 99.99 -> bonus 5% x USD 1,000.00 = USD 50.00; bonuses have
    # no lifecycle.
    assert outcome is not None
    assert [(c.line.kind, c.line.amount, c.state) for c in outcome.credits] == [
        ("bonus_earned", usd("50.00"), "")
    ]


def test_compliance_in_mid_april_known_after_the_close_carries_the_closed_result() -> None:
    history = closed_april()

    [objective_now] = history.report(MID_APRIL, CLOSED_AT).objectives

    # At 15 April 12:00 the readings of April 1-15 count: 14 x 1,000 + 970 = 14,970 / 15,000 =
    # 99.8% < 99.9 in an open window -> at risk; the closed result beside it: breached at
    # 99.85%, no recalculation.
    assert objective_now.status is Status.AT_RISK
    closed = objective_now.closed
    assert closed is not None
    assert (closed.status, closed.figures[0].attained, closed.recalculations) == (
        "breached",
        Decimal("99.850000"),
        0,
    )
    assert (closed.closed_at, closed.terms_version) == (CLOSED_AT, 1)


def test_compliance_in_mid_april_known_before_the_close_has_no_closed_result() -> None:
    history = closed_april()

    [objective_now] = history.report(MID_APRIL, CLOSED_AT - timedelta(microseconds=1)).objectives

    assert objective_now.closed is None


def test_compliance_in_mid_april_after_the_recalculation_carries_the_result_after_it() -> None:
    history = recalculated_april()

    [objective_now] = history.report(MID_APRIL, RECALCULATED_AT).objectives

    # The closed result is the recalculation's: met at 99.9%, one recalculation.
    assert objective_now.closed is not None
    assert (objective_now.closed.status, objective_now.closed.recalculations) == ("met", 1)
    assert objective_now.closed.figures[0].attained == Decimal("99.900000")
