"""Worked examples: late measurements and recalculation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.period_results import BreachRetracted, CreditAdjusted, CreditIssued, PeriodRecalculated
from tests.unit.worked_examples.builders import (
    APR,
    DAY,
    MAY,
    History,
    availability_history,
    daily,
    dec,
    only,
    reading,
    usd,
)

ON_TIME = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
CLOSED_AT = datetime(2026, 5, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 5, 3, tzinfo=UTC)
CLOSED_AGAIN_AT = datetime(2026, 5, 3, 1, tzinfo=UTC)
RECALCULATED_AT = datetime(2026, 5, 4, tzinfo=UTC)
AS_OF = datetime(2026, 5, 10, tzinfo=UTC)


def closed_with_twenty_days() -> History:
    """April 1-20 arrive on time (04-05: 970 / 1,000, the rest 1,000 / 1,000); April closed.

    19 x 1,000 + 970 = 19,970 / 20,000 = 99.85% < 99.9 -> breached, 10% -> USD 100.00.
    """
    history = availability_history()
    readings = daily(APR, 20, 1000, 1000)
    readings[4] = reading(datetime(2026, 4, 5, 12, tzinfo=UTC), 970, 1000)
    history.measure(readings, at=ON_TIME)
    events = history.close(MAY, at=CLOSED_AT)
    assert only(events, CreditIssued).amount == usd("100.00")
    return history


def test_closing_again_after_late_readings_appends_nothing() -> None:
    history = closed_with_twenty_days()
    history.measure(daily(APR + 20 * DAY, 10, 1000, 1000), at=LATE)

    assert history.close(MAY, at=CLOSED_AGAIN_AT) == []


def test_late_readings_that_lift_attainment_to_the_target_retract_the_breach_and_credit() -> None:
    history = closed_with_twenty_days()
    history.measure(daily(APR + 20 * DAY, 10, 1000, 1000), at=LATE)

    events = history.recalculate("availability", "2026-04", at=RECALCULATED_AT)

    # Before: 19,970 / 20,000 = 99.85%; budget: allowed 20,000 x 0.1% = 20 bad, used 30
    #   -> 100 - 100 x 30/20 = -50%.
    # After (+ 10 x 1,000 good): 29,970 / 30,000 = 99.9%, not below 99.9 -> met;
    #   budget: allowed 30, used 30 -> 0%.
    # Credit: 100.00 -> 0.00, delta -100.00. Versions follow the close's 1-3.
    assert [type(e) for e in events] == [PeriodRecalculated, BreachRetracted, CreditAdjusted]
    assert [e.originator_version for e in events] == [4, 5, 6]
    recalculated = only(events, PeriodRecalculated)
    (before,) = recalculated.before
    (after,) = recalculated.after
    assert (before.good, before.total) == dec(19970, 20000)
    assert before.attained == Decimal("99.850000")
    assert before.budget_remaining_percent == Decimal(-50)
    assert (after.good, after.total) == dec(29970, 30000)
    assert after.attained == Decimal("99.900000")
    assert after.budget_remaining_percent == Decimal(0)
    assert (recalculated.status_before, recalculated.status_after) == ("breached", "met")
    assert only(events, BreachRetracted).track == "scheduled"
    adjusted = only(events, CreditAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.delta) == (
        usd("100.00"),
        usd("0.00"),
        usd("-100.00"),
    )


def test_late_readings_that_lower_attainment_into_a_worse_band_adjust_the_credit_up() -> None:
    history = closed_with_twenty_days()
    late = daily(APR + 20 * DAY, 10, 1000, 1000)
    late[0] = reading(datetime(2026, 4, 21, 12, tzinfo=UTC), 0, 1000)
    history.measure(late, at=LATE)

    events = history.recalculate("availability", "2026-04", at=RECALCULATED_AT)

    # After: 19,970 + 0 + 9 x 1,000 = 28,970 / 30,000 = 96.5666...% < 99.0 -> 25% -> 250.00.
    # Still breached: no new BreachDetected, no retraction. Credit 100.00 -> 250.00, +150.00.
    assert [type(e) for e in events] == [PeriodRecalculated, CreditAdjusted]
    assert only(events, PeriodRecalculated).after[0].attained == Decimal("96.566667")
    adjusted = only(events, CreditAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.delta) == (
        usd("100.00"),
        usd("250.00"),
        usd("150.00"),
    )


def test_the_oracle_known_at_before_the_recalculation_still_shows_the_old_credit() -> None:
    history = closed_with_twenty_days()
    before_late_data = history.report(AS_OF, known_at=CLOSED_AT)
    history.measure(daily(APR + 20 * DAY, 10, 1000, 1000), at=LATE)
    history.recalculate("availability", "2026-04", at=RECALCULATED_AT)

    earlier = history.report(AS_OF, known_at=CLOSED_AT)
    later = history.report(AS_OF, known_at=RECALCULATED_AT)

    # Known at the close: one credit of USD 100.00 and one standing breach, and the same
    # answer as before the late data was appended.
    assert earlier == before_late_data
    assert earlier.credit_totals() == {("credit", "USD"): usd("100.00")}
    assert [b.retracted for b in earlier.breaches] == [False]
    # Known after the recalculation: 100.00 + (-100.00) = 0.00 and the breach is retracted.
    assert [c.kind for c in later.credits] == ["credit_issued", "credit_adjusted"]
    assert later.credit_totals() == {("credit", "USD"): usd("0.00")}
    assert [b.retracted for b in later.breaches] == [True]
