"""Worked examples: amendments."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from domain.terms import PeriodUnit
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    DAY,
    JUL,
    MAY,
    History,
    daily,
    objective,
    of_type,
    only,
    terms,
    usd,
)

JUN = datetime(2026, 6, 1, tzinfo=UTC)


def amended_history(*, retroactive: bool) -> History:
    """v1: 99.9%, USD 1,000.00; v2 effective 2026-04-15: 99.0%, USD 2,000.00.

    Every day of April and May has one reading of 995 / 1,000 (99.5%).
    """
    v1 = terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)))
    v2 = terms(
        objective(target="99.0", rules=ObjectiveRules(credit_policy=CLOUD_POLICY)),
        fee=usd("2000.00"),
    )
    history = History(v1)
    history.amend(v2, datetime(2026, 4, 15, tzinfo=UTC), retroactive=retroactive)
    history.measure(daily(APR, 61, 995, 1000))
    return history


def test_an_amendment_effective_mid_month_leaves_that_month_under_the_old_terms() -> None:
    history = amended_history(retroactive=False)

    events = history.close(JUN)

    # April started before 04-15 and the amendment is not retroactive -> v1 governs April:
    # 29,850 / 30,000 = 99.5% < 99.9 -> breached; band [99.0, 99.9) -> 10% of v1's
    # USD 1,000.00 = USD 100.00 (v2's fee would have given 200.00).
    april = [e for e in events if e.period_label == "2026-04"]
    closed = only(april, PeriodClosed)
    assert (closed.terms_version, closed.status, closed.period_fee) == (
        1,
        "breached",
        usd("1000.00"),
    )
    breach = only(april, BreachDetected)
    assert (breach.target, breach.terms_version) == (Decimal("99.9"), 1)
    assert only(april, CreditIssued).amount == usd("100.00")


def test_an_amendment_effective_mid_month_governs_from_the_next_month() -> None:
    history = amended_history(retroactive=False)

    events = history.close(JUN)

    # May starts after 04-15 -> v2 governs: 30,845 / 31,000 = 99.5% >= 99.0 -> met, no credit;
    # fee USD 2,000.00.
    may = [e for e in events if e.period_label == "2026-05"]
    closed = only(may, PeriodClosed)
    assert (closed.terms_version, closed.status, closed.period_fee) == (2, "met", usd("2000.00"))
    assert may == [closed]


def test_the_oracle_judges_the_current_month_by_the_terms_that_govern_it_not_those_in_force() -> (
    None
):
    history = amended_history(retroactive=False)

    report = history.report(datetime(2026, 4, 20, tzinfo=UTC))

    # On 04-20 v2 is in force, but April is governed by v1 (target 99.9).
    assert report.terms_version == 2
    (standing,) = report.objectives
    assert standing.terms_version == 1
    assert standing.tracks[0].target == Decimal("99.9")


def test_a_retroactive_amendment_governs_the_period_it_takes_effect_in() -> None:
    history = amended_history(retroactive=True)

    events = history.close(JUN)

    # v2 is retroactive and takes effect before April ends -> v2 governs all of April:
    # 99.5% >= 99.0 -> met; the fee is v2's USD 2,000.00.
    april = [e for e in events if e.period_label == "2026-04"]
    closed = only(april, PeriodClosed)
    assert (closed.terms_version, closed.status, closed.period_fee) == (2, "met", usd("2000.00"))
    assert closed.figures[0].target == Decimal("99.0")
    assert april == [closed]


def test_an_amendment_that_moves_the_time_zone_leaves_no_month_unclosed() -> None:
    history = History(terms(objective()))
    history.amend(terms(objective(), zone="Europe/Berlin"), MAY, retroactive=False)
    history.measure(daily(APR, 91, 1000, 1000))

    events = history.close(JUL)

    # By 2026-07-01 00:00 UTC three months have ended in either zone: April, May and June
    # (June in Berlin ends 2026-06-30 22:00 UTC). Each is closed once. April is a UTC month;
    # the Berlin calendar starts where it ended, so May's window is
    # [2026-05-01 00:00 UTC, 2026-06-01 00:00 CEST = 2026-05-31 22:00 UTC).
    closed = of_type(events, PeriodClosed)
    assert [e.period_label for e in closed] == ["2026-04", "2026-05", "2026-06"]
    assert (closed[1].window_start, closed[1].window_end) == (
        MAY,
        datetime(2026, 5, 31, 22, tzinfo=UTC),
    )


def test_a_zone_moved_west_within_a_week_does_not_judge_that_week_twice() -> None:
    history = History(terms(objective(period=PeriodUnit.WEEK)))
    history.amend(
        terms(objective(period=PeriodUnit.WEEK), zone="Europe/Berlin"), APR, retroactive=False
    )
    history.amend(
        terms(objective(period=PeriodUnit.WEEK)), APR + timedelta(days=1), retroactive=False
    )
    history.measure(daily(APR, 12, 1000, 1000))

    events = history.close(datetime(2026, 4, 13, tzinfo=UTC))

    # Berlin's 2026-W14 ends 2026-04-05 22:00 UTC, where the UTC calendar is still in its own
    # 2026-W14: that week runs on to the UTC week's end instead of being closed a second time.
    closed = of_type(events, PeriodClosed)
    assert [e.period_label for e in closed] == ["2026-W14", "2026-W15"]
    assert [(e.window_start, e.window_end) for e in closed] == [
        (APR, datetime(2026, 4, 6, tzinfo=UTC)),
        (datetime(2026, 4, 6, tzinfo=UTC), datetime(2026, 4, 13, tzinfo=UTC)),
    ]


def test_an_amendment_from_monthly_to_weekly_periods_never_judges_a_day_twice() -> None:
    v1 = terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)))
    v2 = terms(objective(period=PeriodUnit.WEEK, rules=ObjectiveRules(credit_policy=CLOUD_POLICY)))
    history = History(v1)
    history.amend(v2, datetime(2026, 4, 15, tzinfo=UTC), retroactive=False)
    history.measure(daily(APR, 40, 990, 1000))

    events = history.close(datetime(2026, 5, 11, tzinfo=UTC))

    # v1 governs April (it started before the amendment), so April [04-01, 05-01) is judged
    # monthly; v2's weeks start where April ended: W18 [05-01, 05-04) (3 days, 3 readings),
    # then W19 [05-04, 05-11). No two windows overlap.
    closed = of_type(events, PeriodClosed)
    assert [e.period_label for e in closed] == ["2026-04", "2026-W18", "2026-W19"]
    windows = [(e.window_start, e.window_end) for e in closed]
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert end <= start
    assert closed[1].window_start == MAY
    assert closed[1].figures[0].total == 3000


def test_the_oracle_judges_the_first_week_after_a_change_of_period_from_where_april_ended() -> None:
    v1 = terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)))
    v2 = terms(objective(period=PeriodUnit.WEEK, rules=ObjectiveRules(credit_policy=CLOUD_POLICY)))
    history = History(v1)
    history.amend(v2, datetime(2026, 4, 15, tzinfo=UTC), retroactive=False)
    history.measure(daily(APR, 40, 990, 1000))

    report = history.report(datetime(2026, 5, 2, 18, tzinfo=UTC))

    # As of 05-02 18:00 the week 2026-W18 is open; April [04-01, 05-01) was v1's month, so the
    # week's window starts 05-01 and holds the readings of 05-01 and 05-02 12:00: 2 x 1,000.
    (standing,) = report.objectives
    assert standing.period_label == "2026-W18"
    assert standing.window_start == MAY
    assert standing.tracks[0].total == 2000


def test_a_week_on_a_monthly_fee_is_held_to_the_50_digits_of_proration() -> None:
    weekly = objective(period=PeriodUnit.WEEK)
    monday = datetime(2026, 5, 4, tzinfo=UTC)  # 2026-W19: 05-04 .. 05-10, all in May
    history = History(terms(weekly, start=monday))
    history.measure(daily(monday, 7, 1000, 1000))

    events = history.close(monday + 7 * DAY)

    # One fee period overlaps the week: May (31 days), 7 days of it.
    # USD 1,000.00 x 7/31 = 225 + 25/31 = 225.806451612903225 806451612903225 ... (the 15
    # digits 806451612903225 repeat); 50 significant digits = 225. + 47 decimals:
    # three repeats (45 digits) + "80", the next digit 6 rounds the last 0 up -> "81".
    fee = Decimal("225." + "806451612903225" * 3 + "81")
    assert only(events, PeriodClosed).period_fee == Money(fee, "USD")
