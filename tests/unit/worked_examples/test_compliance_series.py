"""Worked examples: a compliance series, point by point, computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.compliance import Status
from domain.compliance_series import Step
from domain.errors import InvalidArgumentError, NotFoundError
from domain.oracle import replay_series
from tests.unit.worked_examples.builders import (
    APR,
    DAY,
    MAY,
    History,
    daily,
    objective,
    reading,
    terms,
)


def april() -> History:
    """99.9% monthly availability in UTC from 1 April; one reading a day at noon: 1,000 of
    1,000, but 998 on 3 April."""
    history = History(terms(objective()))
    readings = daily(APR, 30, 1000, 1000)
    readings[2] = reading(APR + 2 * DAY + timedelta(hours=12), 998, 1000)
    history.measure(readings)
    return history


def test_april_has_30_points_at_its_midnights_the_last_its_final_figures() -> None:
    history = april()

    series = replay_series(history.events, "availability", APR, MAY, history.clock)

    assert [p.at for p in series.points] == [APR + (n + 1) * DAY for n in range(30)]
    last = series.tracks[0][-1]
    # 29,998 of 30,000: 99.993333...% >= 99.9 -> met, final.
    assert (last.good, last.total, last.final, last.status) == (
        Decimal(29998),
        Decimal(30000),
        True,
        Status.MET,
    )


def test_the_third_of_april_spends_two_thirds_of_the_budget_so_far() -> None:
    history = april()

    series = replay_series(history.events, "availability", APR, MAY, history.clock)

    # End of 3 April: 2,998 of 3,000 = 99.933333% >= 99.9; allowed bad = 3,000 x 0.1% = 3;
    # 2 bad -> 100 - 100 x 2/3 = 33.333333% left, 66.7% used (under 80%): met (on track).
    third = series.tracks[0][2]
    assert third.budget_remaining_percent == Decimal("33.333333")
    assert third.status is Status.MET


def test_a_series_up_to_mid_april_ends_with_a_point_standing_at_as_of() -> None:
    history = april()
    as_of = APR + timedelta(days=9, hours=6)  # 10 April 06:00, before its noon reading

    series = replay_series(history.events, "availability", APR, as_of, history.clock)

    assert len(series.points) == 10
    assert (series.points[-1].at, series.points[-1].stands_at) == (APR + 10 * DAY, as_of)
    assert series.tracks[0][-1].readings == 9


def test_a_period_before_the_term_start_has_no_window_and_no_points() -> None:
    history = april()  # signed on 31 March, in force from 1 April
    march = datetime(2026, 3, 31, 12, tzinfo=UTC)

    series = replay_series(history.events, "availability", march, MAY, history.clock)

    assert (series.period_label, series.window_start, series.points) == ("2026-03", None, ())


def test_hours_for_a_month_are_refused_naming_the_step() -> None:
    history = april()

    with pytest.raises(InvalidArgumentError) as refused:
        replay_series(history.events, "availability", APR, MAY, history.clock, Step.HOUR)

    assert [v.field for v in refused.value.violations] == ["step"]


def test_an_objective_the_terms_do_not_have_is_not_found() -> None:
    history = april()

    with pytest.raises(NotFoundError):
        replay_series(history.events, "latency", APR, MAY, history.clock)
