"""Worked examples: a cumulative KPI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.compliance import Status
from domain.measurements import Measurement
from domain.objectives import Indicator, ObjectiveRules
from domain.period_results import BreachDetected, PeriodClosed
from domain.terms import AgreementKind
from tests.unit.worked_examples.builders import (
    APR,
    MAY,
    History,
    dec,
    objective,
    only,
    reading,
    terms,
    usd,
)


def leads_history() -> History:
    """Marketing promises sales 100 qualified leads a month (an internal SLA)."""
    leads = objective(
        "qualified-leads",
        target="0",
        rules=ObjectiveRules(indicator=Indicator.CUMULATIVE, cumulative_target=Decimal(100)),
    )
    return History(terms(leads, fee=usd("10000.00"), kind=AgreementKind.INTERNAL))


def leads(count: int, first: datetime, every: timedelta) -> list[Measurement]:
    """count leads, one reading each, from first at the given spacing."""
    return [reading(first + n * every, 1, 1, "qualified-leads") for n in range(count)]


def test_97_leads_in_a_month_breach_a_target_of_100() -> None:
    history = leads_history()
    # 97 leads every 6 hours from 04-01 10:00: the last at +96 x 6 h = 24 days -> 04-25 10:00.
    history.measure(leads(97, APR + timedelta(hours=10), timedelta(hours=6)))

    events = history.close(MAY)

    # achieved 97 < 100 -> breached; shortfall 100 - 97 = 3.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.attained, figures.target, figures.bad) == dec(97, 100, 3)
    assert figures.status == "breached"
    breach = only(events, BreachDetected)
    assert (breach.attained, breach.target) == dec(97, 100)


def test_100_leads_in_a_month_meet_a_target_of_100() -> None:
    history = leads_history()
    history.measure(leads(100, APR + timedelta(hours=10), timedelta(hours=6)))

    events = history.close(MAY)

    # achieved 100 >= 100 -> met.
    closed = only(events, PeriodClosed)
    assert closed.figures[0].attained == 100
    assert closed.status == "met"
    assert events == [closed]


# Mid-month instant: 2026-04-14 12:00 UTC is half way through local day 14 of a 30-day month
# (UTC): target line = 100 x (13 + 0.5) / 30 = 45 leads.
MID_APRIL = datetime(2026, 4, 14, 12, tzinfo=UTC)


def test_a_cumulative_kpi_below_its_target_line_mid_month_is_at_risk() -> None:
    history = leads_history()
    # 44 leads every 6 hours from 04-01 12:00: the last at +43 x 6 h = 258 h -> 04-12 06:00.
    history.measure(leads(44, APR + timedelta(hours=12), timedelta(hours=6)))

    report = history.report(MID_APRIL)

    # 44 < target line 45 -> at risk.
    (standing,) = report.objectives
    (track,) = standing.tracks
    assert track.target_line == Decimal(45)
    assert track.attained == 44
    assert track.status is Status.AT_RISK


def test_a_cumulative_kpi_on_its_target_line_mid_month_is_on_track() -> None:
    history = leads_history()
    history.measure(leads(45, APR + timedelta(hours=12), timedelta(hours=6)))

    report = history.report(MID_APRIL)

    # 45 is not below the target line 45 -> met (on track), though the month is still open.
    (track,) = report.objectives[0].tracks
    assert (track.target_line, track.attained) == dec(45, 45)
    assert track.status is Status.MET
    assert not track.final
