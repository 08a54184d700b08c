"""Exclusions that respect the customer on real storage (SQLite and PostgreSQL): a late exclusion
waits for acknowledgement, the acknowledgement recalculates the closed periods it touches in the
same append, maintenance without notice is refused, and a service SLA's late exclusion counts for
the subscribers that acknowledged it only.

The agreement: 99.9% monthly availability, below 99.9 -> 10% of EUR 1,000.00 (EUR 100.00), UTC,
from 2026-04-01; rules: 48 h notice for maintenance, acknowledgement after 30 days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.credit_cap_rule import CreditCap
from domain.credit_caps import CreditCapped
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.errors import FailedPreconditionError, VersionConflictError
from domain.exclusion_rules import ExclusionRules
from domain.exclusion_standing import ExclusionStanding
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.oracle import replay_compliance
from domain.period_results import BreachRetracted, CreditAdjusted, CreditIssued, PeriodRecalculated
from domain.terms import Objective, PeriodUnit
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock
from tests.integration.service_slas import BANDS

APRIL = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
TEN_MONTHS_LATER = datetime(2027, 2, 15, tzinfo=UTC)
RULES = ExclusionRules(maintenance_notice_hours=48, acknowledgement_after_days=30)
OUTAGE = Exclusion(
    "outage-2026-04-10",
    datetime(2026, 4, 10, 11, tzinfo=UTC),
    datetime(2026, 4, 10, 13, tzinfo=UTC),
    ExclusionKind.OTHER,
    "an outage the provider calls excluded ten months later",
    objective_ids=("availability",),
)
EUR = "EUR"


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 4, 1, tzinfo=UTC))


@pytest.fixture
def app(database_url: str, clock: SettableClock) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    yield application
    application.close()


@pytest.fixture
def april_credited(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    """Given: sla-1 signed, April's 30 daily readings of 1,000 (900 good on 04-10, the rest all
    good) and April closed on 2026-05-02: 29,900 / 30,000 = 99.67% < 99.9 -> EUR 100.00."""
    terms = make_terms(
        time_zone="UTC",
        term_start=APRIL,
        fee=make_terms().fee,
        credit_policy=BANDS,
        exclusion_rules=RULES,
    )
    app.commands.sign_agreement("sla-1", terms, APRIL)
    readings = [
        Measurement(
            "availability",
            "",
            to_epoch_us(APRIL + timedelta(days=d, hours=12)),
            good=900 if d == 9 else 1000,
            total=1000,
        )
        for d in range(30)
    ]
    clock.now = MAY + timedelta(hours=1)
    app.ingest.record_measurements("sla-1", readings)
    clock.now = MAY + timedelta(days=1)
    closed = app.commands.close_periods("sla-1", MAY)
    credits = [e.event for e in closed.events if isinstance(e.event, CreditIssued)]
    assert [c.amount for c in credits] == [Money(Decimal("100.00"), EUR)]


def agreement(app: LedgerApplication) -> Agreement:
    found = app.agreements.find_agreement("sla-1")
    assert found is not None
    return found


@pytest.mark.usefixtures("april_credited")
def test_an_exclusion_recorded_ten_months_late_waits_for_acknowledgement(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = TEN_MONTHS_LATER

    recorded, _ = app.commands.record_exclusion("sla-1", OUTAGE)

    assert recorded
    (standing,) = agreement(app).recorded_exclusions
    assert standing.acknowledgement_required
    assert standing.standing("") is ExclusionStanding.AWAITING_ACKNOWLEDGEMENT
    # recorded 2027-02-15 00:00, ended 2026-04-10 13:00: 310 days 11 hours late.
    assert standing.record_lag == timedelta(days=310, hours=11)
    assert agreement(app).exclusions == []


@pytest.mark.usefixtures("april_credited")
def test_recalculating_before_the_acknowledgement_changes_nothing(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = TEN_MONTHS_LATER
    app.commands.record_exclusion("sla-1", OUTAGE)

    assert app.commands.recalculate_period("sla-1", "availability", "2026-04") == []


@pytest.mark.usefixtures("april_credited")
def test_the_acknowledgement_recalculates_april_and_takes_back_eur_100(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = TEN_MONTHS_LATER
    app.commands.record_exclusion("sla-1", OUTAGE)
    clock.now = TEN_MONTHS_LATER + timedelta(days=1)

    changed = app.exclusion_acknowledgements.acknowledge("sla-1", OUTAGE.exclusion_id, "globex")

    # The 04-10 12:00 reading (900/1,000) leaves the count: 29,000 / 29,000 = 100% -> met; the
    # credit goes from 100.00 to 0.00.
    assert (changed.changed, changed.periods_recalculated) == (True, 1)
    appended = app.event_log.agreement_events("sla-1")[-4:]
    assert [type(e) for e in appended] == [
        Agreement.ExclusionAcknowledged,
        PeriodRecalculated,
        BreachRetracted,
        CreditAdjusted,
    ]
    adjusted = appended[-1]
    assert isinstance(adjusted, CreditAdjusted)
    assert adjusted.delta == Money(Decimal("-100.00"), EUR)
    assert changed.log_position == app.event_log.head()


@pytest.mark.usefixtures("april_credited")
def test_the_oracle_sees_the_credit_until_the_acknowledgement_and_none_after(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = TEN_MONTHS_LATER
    app.commands.record_exclusion("sla-1", OUTAGE)
    clock.now = TEN_MONTHS_LATER + timedelta(days=1)
    app.exclusion_acknowledgements.acknowledge("sla-1", OUTAGE.exclusion_id, "")
    events = app.event_log.agreement_events("sla-1")

    end_of_april = MAY - timedelta(hours=1)

    before = replay_compliance(events, end_of_april, TEN_MONTHS_LATER + timedelta(hours=1))
    after = replay_compliance(events, end_of_april, TEN_MONTHS_LATER + timedelta(days=2))

    # Before: 29,900 / 30,000 (the exclusion does not count yet), EUR 100.00 owed. After:
    # 29,000 / 29,000, and the credit's net is 100.00 - 100.00 = 0.00.
    (track_before,) = before.objectives[0].tracks
    (track_after,) = after.objectives[0].tracks
    assert (track_before.good, track_before.total) == (Decimal(29900), Decimal(30000))
    assert (track_after.good, track_after.total) == (Decimal(29000), Decimal(29000))
    assert track_after.excluded == 1
    credited = replay_compliance(events, MAY, TEN_MONTHS_LATER + timedelta(hours=1))
    taken_back = replay_compliance(events, MAY, TEN_MONTHS_LATER + timedelta(days=2))
    assert credited.credit_totals() == {("credit", EUR): Money(Decimal("100.00"), EUR)}
    assert taken_back.credit_totals() == {("credit", EUR): Money(Decimal("0.00"), EUR)}


@pytest.mark.usefixtures("april_credited")
def test_acknowledging_with_a_stale_expected_version_is_refused(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = TEN_MONTHS_LATER
    app.commands.record_exclusion("sla-1", OUTAGE)
    version = agreement(app).version

    with pytest.raises(VersionConflictError):
        app.exclusion_acknowledgements.acknowledge(
            "sla-1", OUTAGE.exclusion_id, "", expected_version=version - 1
        )


@pytest.mark.usefixtures("april_credited")
def test_an_exclusion_touching_a_closed_period_waits_even_when_recorded_days_after_it(
    app: LedgerApplication, clock: SettableClock
) -> None:
    clock.now = MAY + timedelta(days=2)  # 22 days after it ended: within 30, but April is closed

    app.commands.record_exclusion("sla-1", OUTAGE)

    assert agreement(app).recorded_exclusions[0].acknowledgement_required


def test_an_exclusion_recorded_within_m_days_of_an_open_period_counts_at_once(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    terms = make_terms(time_zone="UTC", term_start=APRIL, exclusion_rules=RULES)
    app.commands.sign_agreement("sla-1", terms, APRIL)
    clock.now = datetime(2026, 4, 20, tzinfo=UTC)  # April is open; 9 days after the end

    app.commands.record_exclusion("sla-1", OUTAGE)

    assert agreement(app).exclusions == [OUTAGE]


def test_maintenance_recorded_without_the_notice_is_refused(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    terms = make_terms(time_zone="UTC", term_start=APRIL, exclusion_rules=RULES)
    app.commands.sign_agreement("sla-1", terms, APRIL)
    maintenance = replace(
        OUTAGE,
        kind=ExclusionKind.SCHEDULED_MAINTENANCE,
        start=datetime(2026, 4, 20, 2, tzinfo=UTC),
        end=datetime(2026, 4, 20, 4, tzinfo=UTC),
    )
    clock.now = datetime(2026, 4, 18, 3, tzinfo=UTC)  # 47 h before its start

    with pytest.raises(FailedPreconditionError, match="48 h notice"):
        app.commands.record_exclusion("sla-1", maintenance)
    assert agreement(app).recorded_exclusions == []


def test_without_exclusion_rules_a_late_exclusion_counts_as_before(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    terms = make_terms(time_zone="UTC", term_start=APRIL)
    app.commands.sign_agreement("sla-1", terms, APRIL)
    clock.now = TEN_MONTHS_LATER

    app.commands.record_exclusion("sla-1", OUTAGE)

    assert agreement(app).exclusions == [OUTAGE]


@pytest.mark.usefixtures("april_credited")
def test_a_revocation_brings_the_credit_back(app: LedgerApplication, clock: SettableClock) -> None:
    clock.now = MAY + timedelta(hours=2)
    app.commands.record_exclusion("sla-1", OUTAGE)  # April closed: it waits
    clock.now = MAY + timedelta(days=3)
    app.exclusion_acknowledgements.acknowledge("sla-1", OUTAGE.exclusion_id, "")
    clock.now = MAY + timedelta(days=4)

    changed = app.exclusion_acknowledgements.revoke("sla-1", OUTAGE.exclusion_id, "dispute-1")

    # Revoked, the exclusion counts no more: 29,900 / 30,000 again, the credit 0.00 -> 100.00.
    assert changed.periods_recalculated == 1
    adjusted = app.event_log.agreement_events("sla-1")[-1]
    assert isinstance(adjusted, CreditAdjusted)
    assert adjusted.delta == Money(Decimal("100.00"), EUR)


def test_an_acknowledgement_touching_two_capped_credits_of_one_month_gives_each_reduction_back(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    """Two objectives, availability and latency, each 29,900 / 30,000 in April (99.67% < 99.9 ->
    60% of EUR 1,000.00 = EUR 600.00); the cap of 100% of the fee (EUR 1,000.00) takes 100.00
    from each (both start on 04-01: they share 1,000.00 in proportion, 500.00 each). The
    exclusion applies to both: acknowledged, both are met, credits 600.00 -> 0.00, and each
    reduction 100.00 -> 0.00 (CreditCapped delta +100.00), once each, in one transaction."""
    objectives = tuple(
        Objective(o, o, Decimal("99.9"), PeriodUnit.MONTH) for o in ("availability", "latency")
    )
    sixty = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(60)),)))
    terms = make_terms(
        time_zone="UTC",
        term_start=APRIL,
        objectives=objectives,
        credit_policy=sixty,
        credit_cap=CreditCap(percent_of_fee=Decimal(100)),
        exclusion_rules=RULES,
    )
    app.commands.sign_agreement("sla-1", terms, APRIL)
    clock.now = MAY + timedelta(hours=1)
    for objective_id in ("availability", "latency"):
        readings = [
            Measurement(
                objective_id,
                "",
                to_epoch_us(APRIL + timedelta(days=d, hours=12)),
                good=900 if d == 9 else 1000,
                total=1000,
            )
            for d in range(30)
        ]
        app.ingest.record_measurements("sla-1", readings)
    clock.now = MAY + timedelta(days=1)
    app.commands.close_periods("sla-1", MAY)
    clock.now = MAY + timedelta(days=2)
    app.commands.record_exclusion("sla-1", replace(OUTAGE, objective_ids=()))
    clock.now = MAY + timedelta(days=3)

    changed = app.exclusion_acknowledgements.acknowledge("sla-1", OUTAGE.exclusion_id, "")

    assert changed.periods_recalculated == 2
    after = [
        e for e in app.event_log.agreement_events("sla-1") if e.timestamp == MAY + timedelta(days=3)
    ]
    capped = [e for e in after if isinstance(e, CreditCapped)]
    assert sorted((e.objective_id, e.delta.amount) for e in capped) == [
        ("availability", Decimal("100.00")),
        ("latency", Decimal("100.00")),
    ]
    adjusted = [e for e in after if isinstance(e, CreditAdjusted)]
    assert [e.delta.amount for e in adjusted] == [Decimal("-600.00"), Decimal("-600.00")]
