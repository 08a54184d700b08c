"""Worked examples: exclusions that respect the customer (maintenance notice, acknowledgement).

The terms: 99.9% monthly availability, cloud bands (below 99.9 -> 10% of the fee), EUR 1,000.00 a
month, UTC; exclusion rules: maintenance needs 48 h notice, and an exclusion recorded after a
period it touches was closed, or more than 30 days after it ended, waits for acknowledgement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import FailedPreconditionError
from domain.exclusion_rules import ExclusionRules
from domain.exclusions import Exclusion, ExclusionKind
from domain.objectives import ObjectiveRules
from domain.period_results import BreachRetracted, CreditAdjusted, CreditIssued, PeriodRecalculated
from tests.unit.worked_examples.builders import (
    APR,
    CLOUD_POLICY,
    MAY,
    History,
    daily,
    eur,
    objective,
    only,
    reading,
    terms,
)

RULES = ExclusionRules(maintenance_notice_hours=48, acknowledgement_after_days=30)
TEN_MONTHS_LATER = datetime(2027, 2, 15, tzinfo=UTC)
HOUR = timedelta(hours=1)
OUTAGE = Exclusion(
    exclusion_id="outage-2026-04-10",
    start=datetime(2026, 4, 10, 11, tzinfo=UTC),
    end=datetime(2026, 4, 10, 13, tzinfo=UTC),
    kind=ExclusionKind.SCHEDULED_MAINTENANCE,
    reason="maintenance, as the provider says ten months later",
    objective_ids=("availability",),
)


def guarded_history() -> History:
    """The agreement of the module's docstring, with April's readings: 30 daily readings of
    1,000 requests, all good but on 04-10, when 900 of 1,000 succeed."""
    agreement_terms = replace(
        terms(objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)), fee=eur("1000.00")),
        exclusion_rules=RULES,
    )
    history = History(agreement_terms)
    readings = daily(APR, 30, 1000, 1000)
    readings[9] = reading(datetime(2026, 4, 10, 12, tzinfo=UTC), 900, 1000)
    history.measure(readings)
    return history


def record(history: History, exclusion: Exclusion, at: datetime, required: bool) -> None:
    """Record an exclusion at a record time, waiting for acknowledgement when required."""
    history.clock = at - timedelta(seconds=1)
    assert history.agreement.record_exclusion(exclusion, at, acknowledgement_required=required)
    history.events.extend(history.agreement.collect_events())


def acknowledge(history: History, at: datetime) -> None:
    """The customer acknowledges the outage's exclusion."""
    history.clock = at - timedelta(seconds=1)
    assert history.agreement.acknowledge_exclusion(OUTAGE.exclusion_id, "", at)
    history.events.extend(history.agreement.collect_events())


def test_an_aprils_outage_is_credited_eur_100() -> None:
    history = guarded_history()

    events = history.close(MAY)

    # 29 x 1,000 + 900 = 29,900 good of 30,000 = 99.6666...% < 99.9 (>= 99.0): 10% of
    # EUR 1,000.00 = EUR 100.00.
    assert only(events, CreditIssued).amount == eur("100.00")


def test_maintenance_recorded_ten_months_late_is_refused_for_want_of_notice() -> None:
    history = guarded_history()
    history.close(MAY)

    # Recorded 2027-02-15 00:00, 7,453 h (310 days 13 hours) after its start (2026-04-10 11:00):
    # not 48 h before it.
    with pytest.raises(FailedPreconditionError, match="48 h notice"):
        history.agreement.record_exclusion(OUTAGE, TEN_MONTHS_LATER)


def test_a_late_exclusion_awaiting_acknowledgement_changes_nothing_on_recalculation() -> None:
    history = guarded_history()
    history.close(MAY)
    late = replace(OUTAGE, kind=ExclusionKind.OTHER)  # not maintenance: no notice needed
    # Its period (April) is closed, and it ended 310 days before it was recorded (> 30): it
    # waits for the customer's acknowledgement.
    record(history, late, TEN_MONTHS_LATER, required=True)

    events = history.recalculate("availability", "2026-04", at=TEN_MONTHS_LATER + HOUR)

    # Without the exclusion April is what it was: 29,900 / 30,000, EUR 100.00; nothing changes.
    assert events == []


def test_once_acknowledged_the_late_exclusion_retracts_the_breach_and_takes_back_eur_100() -> None:
    history = guarded_history()
    history.close(MAY)
    late = replace(OUTAGE, kind=ExclusionKind.OTHER)
    record(history, late, TEN_MONTHS_LATER, required=True)
    acknowledge(history, TEN_MONTHS_LATER + 2 * HOUR)

    events = history.recalculate("availability", "2026-04", at=TEN_MONTHS_LATER + 3 * HOUR)

    # The 04-10 12:00 reading (900/1,000) lies in [11:00, 13:00) and leaves the count:
    # 29,000 / 29,000 = 100% >= 99.9 -> met. The credit goes from 100.00 to 0.00: -100.00.
    assert [type(e) for e in events] == [PeriodRecalculated, BreachRetracted, CreditAdjusted]
    adjusted = only(events, CreditAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.delta) == (
        eur("100.00"),
        eur("0.00"),
        eur("-100.00"),
    )


def test_maintenance_recorded_47_hours_before_its_start_is_refused() -> None:
    history = guarded_history()
    may_maintenance = replace(
        OUTAGE,
        exclusion_id="maintenance-2026-05-20",
        start=datetime(2026, 5, 20, 2, tzinfo=UTC),
        end=datetime(2026, 5, 20, 4, tzinfo=UTC),
    )

    # 2026-05-18 03:00 is 47 h before 2026-05-20 02:00; 48 h are required.
    with pytest.raises(FailedPreconditionError, match="recorded 47 h before its start"):
        history.agreement.record_exclusion(may_maintenance, datetime(2026, 5, 18, 3, tzinfo=UTC))


def test_maintenance_recorded_49_hours_before_its_start_is_recorded() -> None:
    history = guarded_history()
    may_maintenance = replace(
        OUTAGE,
        exclusion_id="maintenance-2026-05-20",
        start=datetime(2026, 5, 20, 2, tzinfo=UTC),
        end=datetime(2026, 5, 20, 4, tzinfo=UTC),
    )

    # 2026-05-18 01:00 is 49 h before 2026-05-20 02:00: enough notice.
    recorded = history.agreement.record_exclusion(
        may_maintenance, datetime(2026, 5, 18, 1, tzinfo=UTC)
    )

    assert recorded
    assert history.agreement.exclusions == [may_maintenance]
