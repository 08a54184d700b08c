"""Worked examples: the termination right."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.objectives import ObjectiveRules
from domain.period_results import TerminationRightGranted
from tests.unit.worked_examples.builders import (
    MAY,
    History,
    objective,
    of_type,
    only,
    reading,
    terms,
)

JAN = datetime(2026, 1, 1, tzinfo=UTC)


def termination_right_history() -> History:
    """A 99.9% monthly objective from January 2026 with termination_right_after=3.

    January to April each have one reading of 990 / 1,000 = 99.0% < 99.9 -> breached.
    """
    watched = objective(rules=ObjectiveRules(termination_right_after=3))
    history = History(terms(watched, start=JAN))
    history.measure(
        [reading(datetime(2026, month, 15, tzinfo=UTC), 990, 1000) for month in (1, 2, 3, 4)]
    )
    return history


def test_three_consecutive_breached_months_grant_the_termination_right_once() -> None:
    history = termination_right_history()

    closes = [history.close(datetime(2026, month, 1, tzinfo=UTC)) for month in (2, 3, 4, 5)]

    # Jan: run 1; Feb: run 2; Mar: run 3 = K -> granted, first breached month 2026-01;
    # Apr: run 4 != 3 -> not granted again.
    granted = [of_type(events, TerminationRightGranted) for events in closes]
    assert [len(g) for g in granted] == [0, 0, 1, 0]
    right = granted[2][0]
    assert (right.period_label, right.consecutive_breaches, right.first_period_label) == (
        "2026-03",
        3,
        "2026-01",
    )


def test_closing_the_breached_months_in_one_go_grants_the_termination_right_once() -> None:
    history = termination_right_history()

    events = history.close(MAY)

    # The same run of four breached months closed together: one grant, on 2026-03.
    right = only(events, TerminationRightGranted)
    assert (right.period_label, right.first_period_label) == ("2026-03", "2026-01")
