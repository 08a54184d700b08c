"""Worked examples: a customer-caused exclusion."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.exclusions import Exclusion, ExclusionKind
from domain.measurements import Measurement
from domain.period_results import (
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodRecalculated,
)
from tests.unit.worked_examples.builders import (
    APR,
    MAY,
    availability_history,
    daily,
    dec,
    only,
    reading,
    usd,
)


def april_with_a_customer_outage() -> list[Measurement]:
    """30 daily readings of 1,000; on 04-10 all fail (customer side), on 04-20 one fails."""
    readings = daily(APR, 30, 1000, 1000)
    readings[9] = reading(datetime(2026, 4, 10, 12, tzinfo=UTC), 0, 1000)
    readings[19] = reading(datetime(2026, 4, 20, 12, tzinfo=UTC), 999, 1000)
    return readings


CUSTOMER_FIREWALL = Exclusion(
    exclusion_id="globex-firewall-2026-04-10",
    start=datetime(2026, 4, 10, 11, tzinfo=UTC),
    end=datetime(2026, 4, 10, 13, tzinfo=UTC),
    kind=ExclusionKind.CUSTOMER_CAUSED,
    reason="the customer's firewall blocked every request",
    objective_ids=("availability",),
)


def test_without_the_exclusion_a_customer_outage_breaches() -> None:
    history = availability_history()
    history.measure(april_with_a_customer_outage())

    events = history.close(MAY)

    # 28 x 1,000 + 0 + 999 = 28,999 good of 30,000 = 96.6633...% (reported 96.663333)
    # < 99.0, >= 95.0 -> 25% x USD 1,000.00 = USD 250.00.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(28999, 30000)
    assert figures.attained == Decimal("96.663333")
    assert only(events, CreditIssued).amount == usd("250.00")


def test_a_customer_caused_exclusion_removes_its_readings_and_turns_the_breach_into_a_pass() -> (
    None
):
    history = availability_history()
    history.measure(april_with_a_customer_outage())
    history.exclude(CUSTOMER_FIREWALL)

    events = history.close(MAY)

    # The 04-10 12:00 reading (0/1,000) lies in [11:00, 13:00): it leaves numerator and
    # denominator. 28,999 / 29,000 = 1 - 1/29,000 = 99.99655172...% (reported 99.996552)
    # >= 99.9 -> met: no breach, no credit.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(28999, 29000)
    assert (figures.readings, figures.excluded) == (29, 1)
    assert figures.attained == Decimal("99.996552")
    assert closed.status == "met"
    assert events == [closed]


def test_an_exclusion_recorded_after_the_close_retracts_the_breach_on_recalculation() -> None:
    history = availability_history()
    history.measure(april_with_a_customer_outage())
    history.close(MAY)
    history.exclude(CUSTOMER_FIREWALL)

    events = history.recalculate("availability", "2026-04")

    # Before: 28,999 / 30,000 -> breached, USD 250.00 (see above).
    # After: 28,999 / 29,000 -> met. The credit goes from 250.00 to 0.00: delta -250.00.
    assert [type(e) for e in events] == [PeriodRecalculated, BreachRetracted, CreditAdjusted]
    adjusted = only(events, CreditAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.delta) == (
        usd("250.00"),
        usd("0.00"),
        usd("-250.00"),
    )
