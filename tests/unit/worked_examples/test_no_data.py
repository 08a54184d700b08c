"""Worked examples: no data (periods without readings, readings that saw no requests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.compliance import Status
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import Indicator, ObjectiveRules
from domain.period_results import PeriodClosed
from tests.unit.worked_examples.builders import (
    APR,
    BONUS_POLICY,
    MAY,
    History,
    availability_history,
    objective,
    of_type,
    only,
    terms,
)


def test_a_period_without_readings_is_no_data_with_no_breach_credit_or_bonus() -> None:
    history = availability_history(BONUS_POLICY)

    events = history.close(MAY)

    # No readings in April: no attainment, nothing to judge; the bonus needs data too.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.attained, figures.readings, figures.status) == (None, 0, "no_data")
    assert closed.status == "no_data"
    assert events == [closed]
    assert history.report(datetime(2026, 4, 20, tzinfo=UTC)).objectives[0].status is (
        Status.NO_DATA
    )


def test_an_idle_minute_with_no_requests_is_not_downtime() -> None:
    # Time slices of one minute, target 99.9%: 999 minutes fully good and one minute that saw
    # 0 requests (0 of 0). The idle minute is not observed: 999 good of 999 observed -> 100%.
    history = History(terms(objective(rules=ObjectiveRules(indicator=Indicator.TIME_SLICES))))
    readings = [
        Measurement("availability", "", to_epoch_us(APR + timedelta(minutes=i)), 1, 1)
        for i in range(999)
    ]
    readings.append(
        Measurement("availability", "", to_epoch_us(APR + timedelta(minutes=999)), 0, 0)
    )
    history.measure(readings)

    closed = of_type(history.close(MAY), PeriodClosed)

    figures = closed[0].figures[0]
    assert (figures.good, figures.total, figures.status) == (Decimal(999), Decimal(999), "met")


def test_a_month_of_readings_that_saw_no_requests_is_no_data() -> None:
    # Ratio readings of 0 good of 0 total all month: no event was counted, so no data, not met.
    history = History(terms(objective()))
    history.measure(
        [
            Measurement("availability", "", to_epoch_us(APR + timedelta(days=d)), 0, 0)
            for d in range(30)
        ]
    )

    closed = of_type(history.close(MAY), PeriodClosed)

    assert closed[0].status == "no_data"
