"""Worked examples of the SLA semantics, end to end at the domain level.

Each test builds an agreement's log as a list of events (signed, amended, terminated, exclusions,
measurements), folds it, closes or recalculates periods and asks the replay oracle, then checks
the figures against a computation done by hand in the comment above the assertions. No expected
figure is obtained from the code under test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory, fold_history
from domain.compliance import Status
from domain.errors import InvalidArgumentError
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.money import Money
from domain.objectives import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    Indicator,
    ObjectiveRules,
    Schedule,
    StepsRule,
)
from domain.oracle import ComplianceReport, replay_compliance
from domain.period_closing import close_due_periods, recalculate_period
from domain.period_results import (
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodEvent,
    PeriodRecalculated,
    TerminationRightGranted,
)
from domain.periods import schedule_contains
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

AGREEMENT_ID = "sla-worked"
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")

JAN = datetime(2026, 1, 1, tzinfo=UTC)
APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUN = datetime(2026, 6, 1, tzinfo=UTC)
JUL = datetime(2026, 7, 1, tzinfo=UTC)

# The shape of the large cloud providers' SLAs: below 99.9 -> 10%, below 99.0 -> 25%,
# below 95.0 -> 100% of the monthly fee.
CLOUD_BANDS = BandsRule(
    (
        CreditBand(Decimal("99.9"), Decimal(10)),
        CreditBand(Decimal("99.0"), Decimal(25)),
        CreditBand(Decimal("95.0"), Decimal(100)),
    )
)
CLOUD_POLICY = CreditPolicy(CLOUD_BANDS)
# 5% of the fee for each started 0.5 points below the target (99.5 here).
HALF_POINT_STEPS = CreditPolicy(StepsRule(per_points=Decimal("0.5"), credit_percent=Decimal(5)))
# 08:00-18:00 local time, Monday to Friday.
BUSINESS_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080)

E = TypeVar("E")


# --- builders ------------------------------------------------------------------------------


def usd(amount: str) -> Money:
    """US dollars from a decimal string."""
    return Money(Decimal(amount), "USD")


def eur(amount: str) -> Money:
    """Euros from a decimal string."""
    return Money(Decimal(amount), "EUR")


def objective(
    objective_id: str = "availability",
    *,
    target: str = "99.9",
    period: PeriodUnit = PeriodUnit.MONTH,
    rules: ObjectiveRules | None = None,
) -> Objective:
    """An objective measuring a metric named like it."""
    return Objective(
        objective_id=objective_id,
        metric=objective_id,
        target_percent=Decimal(target),
        period=period,
        rules=rules or ObjectiveRules(),
    )


def terms(
    *objectives: Objective,
    fee: Money | None = None,
    fee_period: PeriodUnit = PeriodUnit.MONTH,
    zone: str = "UTC",
    start: datetime = APR,
    kind: AgreementKind = AgreementKind.CUSTOMER_BASED,
) -> AgreementTerms:
    """Terms between ACME Cloud and Globex (USD 1,000.00 a month unless told otherwise)."""
    return AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party("globex", "Globex Corporation"),
        kind=kind,
        services=("compute",),
        time_zone=zone,
        fee=Fee(fee or usd("1000.00"), fee_period),
        term_start=start,
        term_end=None,
        objectives=objectives,
    )


def reading(at: datetime, good: int, total: int, objective_id: str = "availability") -> Measurement:
    """One reading of good/total observed at."""
    return Measurement(objective_id, "", to_epoch_us(at), good, total)


def daily(
    first: datetime, days: int, good: int, total: int, objective_id: str = "availability"
) -> list[Measurement]:
    """One reading of good/total at 12:00 UTC on each of days days from first."""
    noon = first + timedelta(hours=12)
    return [reading(noon + n * DAY, good, total, objective_id) for n in range(days)]


def minutes(start: datetime, count: int, down_from: int, down_for: int) -> list[Measurement]:
    """One reading per minute from start; minutes down_from .. down_from + down_for - 1 are down."""
    return [
        reading(start + timedelta(minutes=m), 0 if down_from <= m < down_from + down_for else 1, 1)
        for m in range(count)
    ]


def dec(*values: int) -> tuple[Decimal, ...]:
    """Whole numbers as Decimals, to compare with the figures."""
    return tuple(Decimal(value) for value in values)


def of_type(events: Iterable[object], cls: type[E]) -> list[E]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, cls)]


def only(events: Iterable[object], cls: type[E]) -> E:
    """The one event of that type."""
    found = of_type(events, cls)
    assert len(found) == 1, f"expected one {cls.__name__}, got {found!r}"
    return found[0]


class History:
    """An agreement's log under construction: events appended with increasing record times."""

    def __init__(self, agreement_terms: AgreementTerms, recorded_at: datetime | None = None):
        signed_at = agreement_terms.term_start - DAY
        self.clock = recorded_at or signed_at
        self.agreement = Agreement.sign(
            AGREEMENT_ID, agreement_terms, signed_at, recorded_at=self.clock
        )
        self.events: list[object] = list(self.agreement.collect_events())
        self._heads: dict[str, int] = {}

    def _record_time(self, at: datetime | None, earliest: datetime | None = None) -> datetime:
        """at, or the later of earliest and one second after the last record time."""
        if at is None:
            at = self.clock + SECOND
            if earliest is not None and earliest > at:
                at = earliest
        assert at > self.clock, "record times must increase along the log"
        self.clock = at
        return at

    def _collect(self) -> None:
        self.events.extend(self.agreement.collect_events())

    def measure(self, readings: Sequence[Measurement], at: datetime | None = None) -> datetime:
        """Record readings (by default just after the last one was observed); the record time."""
        latest = max(r.observed_at for r in readings)
        recorded_at = self._record_time(at, latest + SECOND)
        groups = group_by_stream(AGREEMENT_ID, readings)
        new = measured_events(AGREEMENT_ID, groups, self._heads, recorded_at)
        for event in new:
            self._heads[event.originator_id] = event.originator_version
        self.events.extend(new)
        return recorded_at

    def amend(
        self,
        new_terms: AgreementTerms,
        effective_from: datetime,
        *,
        retroactive: bool,
        at: datetime | None = None,
    ) -> None:
        """Amend the agreement."""
        recorded_at = self._record_time(at)
        self.agreement.amend(new_terms, effective_from, retroactive, "renegotiated", recorded_at)
        self._collect()

    def terminate(self, effective_at: datetime, at: datetime | None = None) -> None:
        """Terminate the agreement."""
        self.agreement.terminate(effective_at, "customer left", self._record_time(at))
        self._collect()

    def exclude(self, exclusion: Exclusion, at: datetime | None = None) -> None:
        """Record an exclusion."""
        assert self.agreement.record_exclusion(exclusion, self._record_time(at))
        self._collect()

    def folded(self) -> AgreementHistory:
        """The history of everything recorded so far."""
        history = fold_history(self.events)
        assert history is not None
        return history

    def close(self, until: datetime, at: datetime | None = None) -> list[PeriodEvent]:
        """Close every due period (recorded at until unless told otherwise); the new events."""
        recorded_at = self._record_time(at, until)
        new = close_due_periods(self.folded(), until, recorded_at)
        self.events.extend(new)
        return new

    def recalculate(
        self, objective_id: str, label: str, at: datetime | None = None
    ) -> list[PeriodEvent]:
        """Recalculate one closed period; the new events."""
        new = recalculate_period(self.folded(), objective_id, label, self._record_time(at))
        self.events.extend(new)
        return new

    def report(self, as_of: datetime, known_at: datetime | None = None) -> ComplianceReport:
        """The oracle's answer at as_of, as known at known_at (default: everything so far)."""
        return replay_compliance(self.events, as_of, known_at or self.clock)


# --- 1. banded availability credit, and the length of the month ------------------------------


def close_month_of_minutes(month: datetime, days: int, down_minutes: int) -> list[PeriodEvent]:
    """Close one UTC month of 1-minute slices with down_minutes bad minutes from 10:00 on the 15th.

    Every minute has one reading, so every slice of the month is observed.
    """
    sliced = objective(
        rules=ObjectiveRules(
            indicator=Indicator.TIME_SLICES, slice_seconds=60, credit_policy=CLOUD_POLICY
        )
    )
    history = History(terms(sliced, start=month))
    outage_start = 14 * 1440 + 600  # 2026-xx-15 10:00 UTC, in minutes from the 1st
    history.measure(minutes(month, days * 1440, outage_start, down_minutes))
    return history.close(month + days * DAY)


def test_fifty_bad_minutes_in_a_30_day_month_earn_the_10_percent_band() -> None:
    events = close_month_of_minutes(APR, 30, 50)

    # April 2026: 30 x 1,440 = 43,200 one-minute slices, 50 bad -> 43,150 good.
    # 43,150 / 43,200 = 1 - 50/43,200 = 1 - 0.00115740740... = 99.88425925925...%
    # reported to 6 places: 99.884259. 99.0 <= 99.884... < 99.9 -> band "below 99.9" -> 10%.
    # 10% x USD 1,000.00 = USD 100.00.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total, figures.bad) == dec(43150, 43200, 50)
    assert figures.attained == Decimal("99.884259")
    assert closed.status == "breached"
    credit = only(events, CreditIssued)
    assert credit.amount == usd("100.00")
    assert credit.percent_of_fee == Decimal(10)
    assert "below 99.9%" in credit.policy_line


def test_the_same_fifty_bad_minutes_in_a_31_day_month_earn_the_10_percent_band_too() -> None:
    events = close_month_of_minutes(MAY, 31, 50)

    # May 2026: 31 x 1,440 = 44,640 slices, 50 bad -> 44,590 good.
    # 50 / 44,640 = 0.00112007168458... -> 100 - 0.112007168458... = 99.887992831541...%
    # reported: 99.887993 (the 7th decimal is 8, rounds up). Still in [99.0, 99.9) -> 10%.
    # 10% x USD 1,000.00 = USD 100.00.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total, figures.bad) == dec(44590, 44640, 50)
    assert figures.attained == Decimal("99.887993")
    assert only(events, CreditIssued).amount == usd("100.00")


def test_440_bad_minutes_in_a_30_day_month_fall_below_99_and_earn_25_percent() -> None:
    events = close_month_of_minutes(APR, 30, 440)

    # 440 / 43,200 = 0.0101851851... -> 100 - 1.01851851... = 98.98148148...% (reported
    # 98.981481) < 99.0 and >= 95.0 -> band "below 99.0" -> 25% x USD 1,000.00 = USD 250.00.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(42760, 43200)
    assert figures.attained == Decimal("98.981481")
    credit = only(events, CreditIssued)
    assert credit.amount == usd("250.00")
    assert credit.percent_of_fee == Decimal(25)


def test_the_same_440_bad_minutes_in_a_31_day_month_stay_above_99_and_earn_10_percent() -> None:
    events = close_month_of_minutes(MAY, 31, 440)

    # 440 / 44,640 = 0.00985663082437... -> 100 - 0.985663082437... = 99.01433691756...%
    # (reported 99.014337) >= 99.0 and < 99.9 -> band "below 99.9" -> 10% -> USD 100.00.
    # The longer month turned the 25% band of April into 10%.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(44200, 44640)
    assert figures.attained == Decimal("99.014337")
    credit = only(events, CreditIssued)
    assert credit.amount == usd("100.00")
    assert credit.percent_of_fee == Decimal(10)


# --- 2. business hours in Europe/Berlin across the DST change of 2026-03-29 ------------------


def berlin_history(rules: ObjectiveRules) -> History:
    """A 99.5% business-hours objective, March 2026 in Europe/Berlin, EUR 1,000.00 a month.

    The month runs from 2026-03-01 00:00 CET (2026-02-28 23:00 UTC) to 2026-04-01 00:00 CEST
    (2026-03-31 22:00 UTC); clocks go from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
    """
    hours = objective("business-hours", target="99.5", rules=rules)
    start = datetime(2026, 3, 1, tzinfo=BERLIN)
    return History(terms(hours, fee=eur("1000.00"), zone="Europe/Berlin", start=start))


def close_berlin_march(history: History) -> list[PeriodEvent]:
    """Close March 2026 in Europe/Berlin."""
    return history.close(datetime(2026, 4, 1, tzinfo=BERLIN))


def test_downtime_inside_business_hours_counts_against_the_target() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Wednesday 2026-03-04 09:00 UTC = 10:00 CET: inside, all good.
            reading(datetime(2026, 3, 4, 9, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Thursday 2026-03-05 13:00 UTC = 14:00 CET: inside, 20 bad.
            reading(datetime(2026, 3, 5, 13, tzinfo=UTC), 980, 1000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Both readings count: 1,980 / 2,000 = 99.0% < 99.5% -> breached.
    (figures,) = only(events, PeriodClosed).figures
    assert (figures.good, figures.total) == dec(1980, 2000)
    assert figures.readings == 2
    assert figures.attained == Decimal("99.000000")
    breach = only(events, BreachDetected)
    assert (breach.track, breach.target) == ("scheduled", Decimal("99.5"))


def test_downtime_outside_business_hours_is_not_counted() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Wednesday 2026-03-04 09:00 UTC = 10:00 CET: inside, all good.
            reading(datetime(2026, 3, 4, 9, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Friday 2026-03-06 18:00 UTC = 19:00 CET: after hours, all bad.
            reading(datetime(2026, 3, 6, 18, tzinfo=UTC), 0, 1000, "business-hours"),
            # Saturday 2026-03-07 11:00 UTC = 12:00 CET: not a business day, all bad.
            reading(datetime(2026, 3, 7, 11, tzinfo=UTC), 0, 1000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Only the Wednesday reading counts: 1,000 / 1,000 = 100% -> met. The other two are not
    # counted at all (neither judged nor reported as excluded).
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(1000, 1000)
    assert (figures.readings, figures.excluded) == (1, 0)
    assert figures.attained == Decimal("100.000000")
    assert closed.status == "met"
    assert of_type(events, BreachDetected) == []


def test_business_hours_are_read_on_the_local_wall_clock_on_both_sides_of_the_dst_change() -> None:
    # CET is UTC+1 until 2026-03-29 01:00 UTC, CEST is UTC+2 after it.
    # Monday 2026-03-30 07:30 UTC = 09:30 CEST -> inside 08:00-18:00.
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Friday 2026-03-27 07:30 UTC = 08:30 CET -> inside.
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 27, 7, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Friday 2026-03-27 06:30 UTC = 07:30 CET -> before opening, outside.
    assert not schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 27, 6, 30, tzinfo=UTC), "Europe/Berlin"
    )
    # Monday 2026-03-30 06:30 UTC = 08:30 CEST -> inside (the same UTC time as the Friday
    # reading above that was outside).
    assert schedule_contains(
        BUSINESS_HOURS, datetime(2026, 3, 30, 6, 30, tzinfo=UTC), "Europe/Berlin"
    )


def test_only_readings_inside_local_business_hours_count_across_the_dst_change() -> None:
    history = berlin_history(ObjectiveRules(schedule=BUSINESS_HOURS))
    history.measure(
        [
            # Fri 06:30 UTC = 07:30 CET: outside.
            reading(datetime(2026, 3, 27, 6, 30, tzinfo=UTC), 0, 1, "business-hours"),
            # Fri 07:30 UTC = 08:30 CET: inside.
            reading(datetime(2026, 3, 27, 7, 30, tzinfo=UTC), 10, 10, "business-hours"),
            # Mon 07:30 UTC = 09:30 CEST: inside.
            reading(datetime(2026, 3, 30, 7, 30, tzinfo=UTC), 100, 100, "business-hours"),
            # Mon 06:30 UTC = 08:30 CEST: inside (it would be 07:30, outside, at CET).
            reading(datetime(2026, 3, 30, 6, 30, tzinfo=UTC), 1000, 1000, "business-hours"),
            # Mon 16:30 UTC = 18:30 CEST: outside (it would be 17:30, inside, at CET).
            reading(datetime(2026, 3, 30, 16, 30, tzinfo=UTC), 0, 10000, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Counted: 10/10 + 100/100 + 1,000/1,000 = 1,110 / 1,110, three readings -> 100%, met.
    # Had the zone's winter offset been used all month, the count would be 110 / 10,110.
    closed = only(events, PeriodClosed)
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(1110, 1110)
    assert figures.readings == 3
    assert closed.status == "met"


def test_an_off_schedule_target_judges_the_hours_outside_the_schedule_as_a_second_track() -> None:
    history = berlin_history(
        ObjectiveRules(
            schedule=BUSINESS_HOURS,
            off_schedule_target_percent=Decimal("95.0"),
            credit_policy=HALF_POINT_STEPS,
        )
    )
    history.measure(
        [
            # Tuesday 2026-03-10 09:00 UTC = 10:00 CET: inside, 995/1,000.
            reading(datetime(2026, 3, 10, 9, tzinfo=UTC), 995, 1000, "business-hours"),
            # Tuesday 2026-03-10 20:00 UTC = 21:00 CET: outside, 470/500.
            reading(datetime(2026, 3, 10, 20, tzinfo=UTC), 470, 500, "business-hours"),
            # Saturday 2026-03-14 11:00 UTC = 12:00 CET: outside, 470/500.
            reading(datetime(2026, 3, 14, 11, tzinfo=UTC), 470, 500, "business-hours"),
        ]
    )

    events = close_berlin_march(history)

    # Scheduled track: 995 / 1,000 = 99.5%, not below 99.5 -> met.
    #   budget: allowed bad = 1,000 x 0.5% = 5, used 5 -> remaining 100 - 100 x 5/5 = 0%.
    # Off-schedule track: 940 / 1,000 = 94.0% < 95.0 -> breached.
    #   budget: allowed bad = 1,000 x 5% = 50, used 60 -> remaining 100 - 100 x 60/50 = -20%.
    # Steps (below_percent = the track's target 95.0): shortfall 95.0 - 94.0 = 1.0 points
    # = 2 started steps of 0.5 -> 2 x 5% = 10% x EUR 1,000.00 = EUR 100.00.
    closed = only(events, PeriodClosed)
    scheduled, off = closed.figures
    assert scheduled.track == "scheduled"
    assert (scheduled.good, scheduled.total) == dec(995, 1000)
    assert (scheduled.status, scheduled.budget_remaining_percent) == ("met", Decimal(0))
    assert off.track == "off_schedule"
    assert (off.good, off.total, off.target) == dec(940, 1000, 95)
    assert off.attained == Decimal("94.000000")
    assert (off.status, off.budget_remaining_percent) == ("breached", Decimal(-20))
    breach = only(events, BreachDetected)
    assert (breach.track, breach.target) == ("off_schedule", Decimal("95.0"))
    credit = only(events, CreditIssued)
    assert credit.amount == eur("100.00")
    assert credit.percent_of_fee == Decimal(10)


# --- 3. a customer-caused exclusion -----------------------------------------------------------


def availability_history(policy: CreditPolicy | None = CLOUD_POLICY) -> History:
    """A 99.9% monthly RATIO objective from April 2026 (UTC), USD 1,000.00 a month."""
    return History(terms(objective(rules=ObjectiveRules(credit_policy=policy))))


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


# --- 4. steps ---------------------------------------------------------------------------------


def test_a_weekly_steps_credit_is_5_percent_per_started_half_point_of_a_week_of_the_fee() -> None:
    weekly = objective(
        target="99.5", period=PeriodUnit.WEEK, rules=ObjectiveRules(credit_policy=HALF_POINT_STEPS)
    )
    monday = datetime(2026, 3, 9, tzinfo=UTC)  # ISO week 2026-W11: 03-09 .. 03-15
    history = History(terms(weekly, fee=eur("3100.00"), start=monday))
    readings = daily(monday, 7, 10000, 10000)
    readings[2] = reading(monday + 2 * DAY + timedelta(hours=12), 9160, 10000)
    history.measure(readings)

    events = history.close(monday + 7 * DAY)

    # Attainment: 6 x 10,000 + 9,160 = 69,160 / 70,000 = 98.8%.
    # Shortfall: 99.5 - 98.8 = 0.7 points = 1.4 steps of 0.5 -> 2 started steps -> 10%.
    # Week fee: the monthly fee over a 7-day week of March (31 days):
    #   EUR 3,100.00 x 7 / 31 = EUR 700.00.
    # Credit: 10% x 700.00 = EUR 70.00.
    closed = only(events, PeriodClosed)
    assert closed.period_label == "2026-W11"
    assert closed.period_fee == eur("700.00")
    (figures,) = closed.figures
    assert figures.attained == Decimal("98.800000")
    credit = only(events, CreditIssued)
    assert credit.amount == eur("70.00")
    assert credit.percent_of_fee == Decimal(10)


def test_a_monthly_objective_on_a_weekly_fee_is_credited_on_the_fee_of_the_whole_month() -> None:
    weekly_fee = terms(
        objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)),
        fee=eur("700.00"),
        fee_period=PeriodUnit.WEEK,
    )
    history = History(weekly_fee)
    history.measure(daily(APR, 30, 995, 1000))

    events = history.close(MAY)

    # Period fee: the weeks overlapping April (UTC) and their overlap with it:
    #   W14 (03-30..04-05): 5 days -> 700.00 x 5/7 = 500.00
    #   W15, W16, W17 (04-06..04-26): 3 x 700.00 = 2,100.00
    #   W18 (04-27..05-03): 4 days -> 700.00 x 4/7 = 400.00
    #   500.00 + 2,100.00 + 400.00 = EUR 3,000.00 (= 700.00 x 30/7).
    # Attainment 29,850 / 30,000 = 99.5% -> band [99.0, 99.9) -> 10% x 3,000.00 = EUR 300.00.
    assert only(events, PeriodClosed).period_fee == eur("3000.00")
    assert only(events, CreditIssued).amount == eur("300.00")


# --- 5. counts ---------------------------------------------------------------------------------


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


# --- 6. cap -------------------------------------------------------------------------------------


def test_the_cap_limits_a_100_percent_band_to_half_the_fee() -> None:
    history = availability_history(CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(50)))
    readings = daily(APR, 30, 1000, 1000)
    for day in (4, 5, 6):
        readings[day] = reading(APR + day * DAY + timedelta(hours=12), 0, 1000)
    history.measure(readings)

    events = history.close(MAY)

    # 27,000 / 30,000 = 90.0% < 95.0 -> 100% x USD 1,000.00 = USD 1,000.00,
    # capped at 50% x 1,000.00 = USD 500.00.
    credit = only(events, CreditIssued)
    assert credit.amount == usd("500.00")
    assert credit.percent_of_fee == Decimal(100)
    assert credit.capped
    assert credit.policy_line.endswith(", capped at 50% of fee")


# --- 7. bonus ----------------------------------------------------------------------------------

BONUS_POLICY = CreditPolicy(
    CLOUD_BANDS, bonus=BonusRule(above_percent=Decimal("99.99"), bonus_percent=Decimal(5))
)


def test_exceeding_the_bonus_threshold_earns_the_provider_a_bonus_not_a_credit() -> None:
    history = availability_history(BONUS_POLICY)
    history.measure(daily(APR, 30, 10000, 10000))

    events = history.close(MAY)

    # 300,000 / 300,000 = 100% >= 99.99 and not breached -> bonus 5% x USD 1,000.00 = USD 50.00,
    # owed to the provider; no credit.
    assert of_type(events, CreditIssued) == []
    bonus = only(events, BonusEarned)
    assert bonus.amount == usd("50.00")
    assert bonus.percent_of_fee == Decimal(5)
    totals = history.report(datetime(2026, 5, 2, tzinfo=UTC)).credit_totals()
    assert totals == {("bonus", "USD"): usd("50.00")}


def test_meeting_the_target_below_the_bonus_threshold_earns_nothing() -> None:
    history = availability_history(BONUS_POLICY)
    readings = daily(APR, 30, 10000, 10000)
    readings[0] = reading(APR + timedelta(hours=12), 9850, 10000)
    history.measure(readings)

    events = history.close(MAY)

    # 299,850 / 300,000 = 99.95% : met (>= 99.9) but below 99.99 -> no bonus, no credit.
    closed = only(events, PeriodClosed)
    assert closed.figures[0].attained == Decimal("99.950000")
    assert events == [closed]


# --- 8. a cumulative KPI -----------------------------------------------------------------------


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


# Mid-month instant: 2026-04-14 12:00 UTC is 13.5 days into a 30-day month:
# share = 13.5 / 30 = 0.45 -> target line = 100 x 0.45 = 45 leads.
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


# --- 9. amendments -----------------------------------------------------------------------------


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


# --- 10. termination -----------------------------------------------------------------------------

TERMINATION = datetime(2026, 4, 11, tzinfo=UTC)  # after 10 of April's 30 days


def terminated_history(fee: Money) -> History:
    """April 1-10 (one day 950 / 1,000, the rest all good), then a bad reading on 04-20."""
    history = History(terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)), fee=fee))
    readings = daily(APR, 10, 1000, 1000)
    readings[4] = reading(datetime(2026, 4, 5, 12, tzinfo=UTC), 950, 1000)
    readings.append(reading(datetime(2026, 4, 20, 12, tzinfo=UTC), 0, 1000))
    history.measure(readings)
    history.terminate(TERMINATION)
    return history


def test_a_period_cut_by_termination_is_judged_on_the_time_it_ran_with_a_prorated_fee() -> None:
    history = terminated_history(usd("1500.00"))

    events = history.close(JUL)

    # Window [04-01, 04-11): the 04-20 reading (after termination) does not count.
    # 9 x 1,000 + 950 = 9,950 / 10,000 = 99.5% -> breached, band [99.0, 99.9) -> 10%.
    # Period fee: USD 1,500.00 x 10 days / 30 days = USD 500.00 exactly.
    # Credit: 10% x 500.00 = USD 50.00. May and June come after the termination: not closed.
    closed = only(events, PeriodClosed)
    assert closed.period_label == "2026-04"
    assert (closed.window_start, closed.window_end) == (APR, TERMINATION)
    assert closed.period_fee == usd("500")
    (figures,) = closed.figures
    assert (figures.good, figures.total) == dec(9950, 10000)
    assert only(events, CreditIssued).amount == usd("50.00")


def test_the_final_partial_period_is_due_when_the_termination_takes_effect() -> None:
    history = terminated_history(usd("1500.00"))

    events = history.close(TERMINATION)

    # The window ends at the termination instant, so it can close then, not at month end.
    assert only(events, PeriodClosed).window_end == TERMINATION


def test_a_prorated_fee_that_does_not_terminate_is_exact_and_only_the_credit_is_rounded() -> None:
    history = terminated_history(usd("1000.00"))

    events = history.close(JUL)

    # Period fee: 1,000.00 x 10 / 30 = 333.333... held to 50 significant digits (3 + 47 threes).
    # Credit: 10% of it = 33.3333... -> rounded half-even once to USD 33.33.
    assert only(events, PeriodClosed).period_fee == Money(Decimal("333." + "3" * 47), "USD")
    assert only(events, CreditIssued).amount == usd("33.33")


# --- 11. late measurements and recalculation -----------------------------------------------------

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


# --- 12. no data ---------------------------------------------------------------------------------


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


# --- 13. termination right ---------------------------------------------------------------------


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
