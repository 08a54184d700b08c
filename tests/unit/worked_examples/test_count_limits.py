"""Worked examples: count objectives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.agreement import Agreement
from domain.compliance import Status
from domain.credit_policies import CountRule, CreditPolicy
from domain.errors import InvalidArgumentError
from domain.measurements import Measurement
from domain.objectives import Indicator, ObjectiveRules
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from domain.terms import PeriodUnit
from tests.unit.worked_examples.builders import (
    AGREEMENT_ID,
    DAY,
    HALF_POINT_STEPS,
    History,
    dec,
    eur,
    objective,
    only,
    reading,
    terms,
)


def error_history() -> History:
    """At most 2 errors per ISO week; 3 or more earn 5% of the weekly fee of EUR 700.00."""
    errors = objective(
        "errors",
        target="0",
        period=PeriodUnit.WEEK,
        rules=ObjectiveRules(
            indicator=Indicator.COUNT_LIMIT,
            limit=2,
            credit_policy=CreditPolicy(CountRule(at_least=3, credit_percent=Decimal(5))),
        ),
    )
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    return History(terms(errors, fee=eur("700.00"), fee_period=PeriodUnit.WEEK, start=monday))


def week_with_errors(count: int) -> list[Measurement]:
    """Week 2026-W11: 1,000 good requests on Monday, then count failed ones on Tuesday."""
    monday = datetime(2026, 3, 9, 9, tzinfo=UTC)
    ok = reading(monday, 1000, 1000, "errors")
    failed = [reading(monday + DAY + n * timedelta(hours=1), 0, 1, "errors") for n in range(count)]
    return [ok, *failed]


def test_two_errors_in_a_week_stay_within_a_limit_of_two() -> None:
    history = error_history()
    history.measure(week_with_errors(2))

    events = history.close(datetime(2026, 3, 16, tzinfo=UTC))

    # bad = (1,000 - 1,000) + 2 x (1 - 0) = 2 <= limit 2 -> met.
    # budget: 100 x (2 - 2) / 2 = 0%. Count rule needs at least 3 -> no credit.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.attained, figures.target, figures.bad) == dec(2, 2, 2)
    assert figures.budget_remaining_percent == Decimal(0)
    assert closed.status == "met"
    assert events == [closed]


def test_three_errors_in_a_week_breach_and_earn_the_count_credit() -> None:
    history = error_history()
    history.measure(week_with_errors(3))

    events = history.close(datetime(2026, 3, 16, tzinfo=UTC))

    # bad = 3 > 2 -> breached; budget 100 x (2 - 3) / 2 = -50%.
    # Count rule: 3 >= at_least 3 -> 5% x EUR 700.00 = EUR 35.00.
    (figures,) = only(events, PeriodClosed).figures
    assert figures.attained == 3
    assert figures.status == "breached"
    assert figures.budget_remaining_percent == Decimal(-50)
    only(events, BreachDetected)
    credit = only(events, CreditIssued)
    assert credit.amount == eur("35.00")
    assert credit.percent_of_fee == Decimal(5)


def test_a_count_limit_exceeded_mid_week_is_already_breached_before_the_week_ends() -> None:
    history = error_history()
    history.measure(week_with_errors(3))

    # Wednesday 2026-03-11 00:00 UTC: 3 errors already (Tuesday 09:00-11:00) > limit 2; the
    # week cannot be met any more, so the open window is breached, not merely at risk.
    report = history.report(datetime(2026, 3, 11, tzinfo=UTC))

    (standing,) = report.objectives
    assert standing.period_label == "2026-W11"
    assert standing.status is Status.BREACHED


def test_a_count_objective_with_steps_but_no_threshold_is_refused_at_signing() -> None:
    # A count limit has no percentage target, so "5% per started 0.5 points below the target"
    # has nothing to count the points from: such terms can never be credited and must be
    # refused when signed rather than fail at the first breached close.
    errors = objective(
        "errors",
        target="0",
        period=PeriodUnit.WEEK,
        rules=ObjectiveRules(
            indicator=Indicator.COUNT_LIMIT, limit=2, credit_policy=HALF_POINT_STEPS
        ),
    )
    monday = datetime(2026, 3, 9, tzinfo=UTC)

    with pytest.raises(InvalidArgumentError):
        Agreement.sign(AGREEMENT_ID, terms(errors, start=monday), monday - DAY, monday - DAY)
