"""Worked examples: case objectives judged per period into breaches and credits.

Every example runs in UTC with round-the-clock targets unless it says otherwise, so each figure
is a count of cases the comment above it works out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.case_milestones import Milestone, MilestoneKind
from domain.compliance import Status
from domain.credit_policies import BandsRule, CountRule, CreditBand, CreditPolicy
from domain.objectives import Indicator, ObjectiveRules
from domain.period_results import (
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodRecalculated,
)
from tests.unit.cases.timelines import case_objective, milestone, opened
from tests.unit.worked_examples.builders import MAY, History, dec, of_type, only, terms

# Below 75% of cases met: 10% of the monthly fee (USD 1,000.00).
TEN_PERCENT_BELOW_75 = CreditPolicy(BandsRule((CreditBand(Decimal(75), Decimal(10)),)))
P1 = case_objective(
    "p1-resolution",
    hours=4,
    target="75",
    scope={"priority": "P1"},
    rules=ObjectiveRules(credit_policy=TEN_PERCENT_BELOW_75),
)
P2 = case_objective("p2-resolution", hours=8, target="75", scope={"priority": "P2"})


def resolved(when: str, case_id: str) -> Milestone:
    return milestone(MilestoneKind.RESOLVED, when, case_id)


def tickets_history() -> History:
    return History(terms(P1, P2))


def test_p1_and_p2_cases_are_judged_against_their_own_targets() -> None:
    history = tickets_history()
    history.record_case(
        [
            # P1 resolved after 3 h: met. P1 resolved after 5 h: breached at 04:00.
            opened("2026-04-06T00:00:00+00:00", "A", "P1"),
            resolved("2026-04-06T03:00:00+00:00", "A"),
            opened("2026-04-07T00:00:00+00:00", "B", "P1"),
            resolved("2026-04-07T05:00:00+00:00", "B"),
            # P2 resolved after 5 h: within its 8 h.
            opened("2026-04-08T00:00:00+00:00", "C", "P2"),
            resolved("2026-04-08T05:00:00+00:00", "C"),
        ]
    )

    events = history.close(MAY)

    # P1: 1 of 2 met = 50% < 75% -> breached; 50% is below the 75% band -> 10% of 1,000.00.
    p1, p2 = of_type(events, PeriodClosed)
    assert (p1.objective_id, p1.status) == ("p1-resolution", "breached")
    assert (p1.figures[0].good, p1.figures[0].total) == dec(1, 2)
    assert only(events, CreditIssued).amount.amount == Decimal("100.00")
    # P2: 1 of 1 met -> met.
    assert (p2.status, p2.figures[0].good, p2.figures[0].total) == ("met", *dec(1, 1))


def test_an_open_case_past_its_target_counts_as_breached_before_it_is_resolved() -> None:
    history = tickets_history()
    history.record_case([opened("2026-04-06T00:00:00+00:00", "A", "P1")])

    report = history.report(datetime(2026, 4, 6, 6, tzinfo=UTC))

    # Due 04:00, still open at 06:00: 0 of 1 met.
    (p1,) = (o for o in report.objectives if o.objective_id == "p1-resolution")
    (track,) = p1.tracks
    assert (track.good, track.total) == dec(0, 1)


def test_a_case_still_within_its_target_is_not_judged_yet() -> None:
    history = tickets_history()
    history.record_case([opened("2026-04-06T00:00:00+00:00", "A", "P1")])

    report = history.report(datetime(2026, 4, 6, 3, tzinfo=UTC))

    (p1,) = (o for o in report.objectives if o.objective_id == "p1-resolution")
    assert p1.tracks[0].status is Status.NO_DATA


def test_a_case_met_in_april_and_reopened_into_a_breach_in_may_counts_in_both_months() -> None:
    history = tickets_history()
    history.record_case(
        [
            # 2 h to the April resolution (met); reopened 1 May 00:00 with 2 h left; still open
            # at 02:00: breached then, in May.
            opened("2026-04-30T20:00:00+00:00", "A", "P1"),
            resolved("2026-04-30T22:00:00+00:00", "A"),
            milestone(MilestoneKind.REOPENED, "2026-05-01T00:00:00+00:00", "A"),
        ]
    )

    april = history.close(MAY)
    may = history.close(datetime(2026, 6, 1, tzinfo=UTC))

    april_p1 = next(e for e in of_type(april, PeriodClosed) if e.objective_id == "p1-resolution")
    may_p1 = next(e for e in of_type(may, PeriodClosed) if e.objective_id == "p1-resolution")
    assert (april_p1.figures[0].good, april_p1.figures[0].total) == dec(1, 1)
    assert (may_p1.figures[0].good, may_p1.figures[0].total) == dec(0, 1)


def test_a_case_reopened_and_resolved_again_within_its_target_stays_met_once() -> None:
    history = tickets_history()
    history.record_case(
        [
            # 2 h, reopened, 1 h more: 3 h in all, within 4 h; judged once, at 02:00.
            opened("2026-04-06T00:00:00+00:00", "A", "P1"),
            resolved("2026-04-06T02:00:00+00:00", "A"),
            milestone(MilestoneKind.REOPENED, "2026-04-06T10:00:00+00:00", "A"),
            resolved("2026-04-06T11:00:00+00:00", "A"),
        ]
    )

    events = history.close(MAY)

    p1 = next(e for e in of_type(events, PeriodClosed) if e.objective_id == "p1-resolution")
    assert (p1.figures[0].good, p1.figures[0].total) == dec(1, 1)


def test_a_priority_raised_after_the_p1_target_elapsed_is_a_p1_breach_at_the_raise() -> None:
    history = tickets_history()
    history.record_case(
        [
            # P2 at 00:00; raised to P1 at 05:00 (P1's 4 h ran out at 04:00); resolved 06:00.
            opened("2026-04-06T00:00:00+00:00", "A", "P2"),
            milestone(
                MilestoneKind.RELABELED, "2026-04-06T05:00:00+00:00", "A", labels={"priority": "P1"}
            ),
            resolved("2026-04-06T06:00:00+00:00", "A"),
        ]
    )

    events = history.close(MAY)

    # Labels at the stop (06:00) are P1: P1 judges it, breached; P2 does not judge it at all.
    p1, p2 = of_type(events, PeriodClosed)
    assert (p1.figures[0].good, p1.figures[0].total) == dec(0, 1)
    assert p2.status == "no_data"


def test_a_late_resolution_recalculated_retracts_the_breach_and_the_credit() -> None:
    history = tickets_history()
    history.record_case([opened("2026-04-06T00:00:00+00:00", "A", "P1")])
    closed = history.close(MAY)
    # Never resolved by the close: breached at 04:00, 0 of 1 -> 10% credit.
    assert only(closed, CreditIssued).amount.amount == Decimal("100.00")

    # Recorded in May: it was resolved at 03:00 after all.
    history.record_case(
        [resolved("2026-04-06T03:00:00+00:00", "A")], at=datetime(2026, 5, 3, tzinfo=UTC)
    )
    events = history.recalculate("p1-resolution", "2026-04")

    # Now 1 of 1 met: the breach is retracted, the credit adjusted by -100.00 to 0.00.
    recalculated = only(events, PeriodRecalculated)
    assert (recalculated.status_before, recalculated.status_after) == ("breached", "met")
    assert only(events, BreachRetracted).track == "scheduled"
    assert only(events, CreditAdjusted).delta.amount == Decimal("-100.00")


def test_a_count_limit_on_breached_cases_credits_once_the_limit_is_passed() -> None:
    # At most 1 breached case a month; a credit of 5% once 2 breaches are reached.
    objective = case_objective(
        "breaches",
        hours=1,
        indicator=Indicator.COUNT_LIMIT,
        limit=1,
        rules=ObjectiveRules(
            credit_policy=CreditPolicy(CountRule(at_least=2, credit_percent=Decimal(5)))
        ),
    )
    history = History(terms(objective))
    history.record_case(
        [
            # A and B are never resolved (breached at 01:00); C is resolved in 30 minutes.
            opened("2026-04-06T00:00:00+00:00", "A"),
            opened("2026-04-07T00:00:00+00:00", "B"),
            opened("2026-04-08T00:00:00+00:00", "C"),
            resolved("2026-04-08T00:30:00+00:00", "C"),
        ]
    )

    events = history.close(MAY)

    # 2 breached > limit 1 -> breached; 2 bad events reach at_least 2 -> 5% of 1,000.00.
    closing = only(events, PeriodClosed)
    assert (closing.status, closing.figures[0].bad) == ("breached", Decimal(2))
    assert only(events, BreachDetected).track == "scheduled"
    assert only(events, CreditIssued).amount.amount == Decimal("50.00")


def test_a_case_opened_at_the_term_start_is_judged_in_the_first_month() -> None:
    history = tickets_history()
    history.record_case([opened("2026-04-01T00:00:00+00:00", "A", "P1")])

    events = history.close(MAY)

    # Opened at the term start, breached at 04:00 on 1 April: in April.
    p1 = next(e for e in of_type(events, PeriodClosed) if e.objective_id == "p1-resolution")
    assert (p1.figures[0].good, p1.figures[0].total) == dec(0, 1)
