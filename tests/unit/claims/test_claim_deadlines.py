"""The claim deadline: the end of the Nth local day or billing cycle after the period's last
instant, in the terms' time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.claims import ClaimRule, claim_deadline
from domain.terms import PeriodUnit

BERLIN = ZoneInfo("Europe/Berlin")


def test_two_billing_cycles_after_april_end_at_the_start_of_july_local() -> None:
    # April's last instant lies in April's cycle; the two after it are May and June; June ends
    # at 1 July 00:00 in Berlin (CEST, UTC+2) = 30 June 22:00 UTC.
    deadline = claim_deadline(
        ClaimRule(deadline_billing_cycles=2),
        datetime(2026, 5, 1, tzinfo=BERLIN),
        PeriodUnit.MONTH,
        "Europe/Berlin",
    )

    assert deadline == datetime(2026, 6, 30, 22, tzinfo=UTC)


def test_thirty_days_after_a_period_ending_at_midnight_is_thirty_days_later() -> None:
    # April ends 1 May 00:00; 30 days after: 31 May 00:00 CEST = 30 May 22:00 UTC.
    deadline = claim_deadline(
        ClaimRule(deadline_days=30),
        datetime(2026, 5, 1, tzinfo=BERLIN),
        PeriodUnit.MONTH,
        "Europe/Berlin",
    )

    assert deadline == datetime(2026, 5, 30, 22, tzinfo=UTC)


def test_a_deadline_in_days_across_the_autumn_change_stays_at_local_midnight() -> None:
    # October ends 1 November 00:00 CET (UTC+1); 1 day after: 2 November 00:00 CET = 1 Nov 23:00
    # UTC; a deadline in days counts local days, not 24-hour spans.
    deadline = claim_deadline(
        ClaimRule(deadline_days=1),
        datetime(2026, 11, 1, tzinfo=BERLIN),
        PeriodUnit.MONTH,
        "Europe/Berlin",
    )

    assert deadline == datetime(2026, 11, 1, 23, tzinfo=UTC)


def test_a_period_ending_mid_day_counts_from_the_day_holding_its_last_instant() -> None:
    # A term ending 30 April 15:00 UTC: its last instant is on 30 April; one day after it is
    # 1 May, which ends at 2 May 00:00 UTC.
    deadline = claim_deadline(
        ClaimRule(deadline_days=1), datetime(2026, 4, 30, 15, tzinfo=UTC), PeriodUnit.MONTH, "UTC"
    )

    assert deadline == datetime(2026, 5, 2, tzinfo=UTC)


def test_billing_cycles_follow_the_fee_unit_not_the_objective_period() -> None:
    # A monthly period ending 1 December under a quarterly fee: its last instant is in Q4 2026;
    # one cycle after is Q1 2027, which ends 1 April 2027 00:00 UTC.
    deadline = claim_deadline(
        ClaimRule(deadline_billing_cycles=1),
        datetime(2026, 12, 1, tzinfo=UTC),
        PeriodUnit.QUARTER,
        "UTC",
    )

    assert deadline == datetime(2027, 4, 1, tzinfo=UTC)


def test_weekly_billing_cycles_end_on_a_monday() -> None:
    # A period ending Wednesday 6 May 2026 00:00 UTC: its last instant is in the week of Monday
    # 4 May; two weeks after it end on Monday 25 May 00:00.
    deadline = claim_deadline(
        ClaimRule(deadline_billing_cycles=2),
        datetime(2026, 5, 6, tzinfo=UTC),
        PeriodUnit.WEEK,
        "UTC",
    )

    assert deadline == datetime(2026, 5, 25, tzinfo=UTC)
