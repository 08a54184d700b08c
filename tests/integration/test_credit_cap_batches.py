"""The cap across objectives when one command recalculates several periods of a fee period at
once (an acknowledged exclusion touching two objectives), on SQLite and PostgreSQL: the fee
period is allocated once, seeing every change, in the same append."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.credit_cap_oracle import recorded_reductions, replayed_reductions
from domain.credit_caps import CreditCap, CreditCapped
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.exclusion_rules import ExclusionRules
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import ObjectiveRules
from domain.period_results import CreditAdjusted, PeriodEvent
from domain.terms import Objective, PeriodUnit
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

APRIL = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
LATER = datetime(2027, 2, 15, tzinfo=UTC)
OBJECTIVES = ("availability", "latency")
OUTAGE = Exclusion(
    "outage-2026-04-10",
    datetime(2026, 4, 10, 11, tzinfo=UTC),
    datetime(2026, 4, 10, 13, tzinfo=UTC),
    ExclusionKind.OTHER,
    "an outage the provider calls excluded ten months later",
    objective_ids=OBJECTIVES,
)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(APRIL)


@pytest.fixture
def app(database_url: str, clock: SettableClock) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=clock)
    yield application
    application.close()


def _capped_april(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    """EUR 1,000.00 a month (UTC), availability and latency monthly at 99.9%, below it 100% of
    the fee; a cap of 100% of the fee; acknowledgement after 30 days. April's daily readings of
    1,000 are all good but 04-10 12:00 (900): 29,900 / 30,000 = 99.67% -> 1,000.00 each, 2,000.00
    over the cap 1,000.00: one group (both from 1 April) sharing it 1 : 1 -> 500.00 each."""
    band = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(100)),)))
    objectives = tuple(
        Objective(o, o, Decimal("99.9"), PeriodUnit.MONTH, rules=ObjectiveRules(credit_policy=band))
        for o in OBJECTIVES
    )
    terms = make_terms(
        time_zone="UTC",
        term_start=APRIL,
        objectives=objectives,
        credit_cap=CreditCap(percent_of_fee=Decimal(100)),
        exclusion_rules=ExclusionRules(acknowledgement_after_days=30),
    )
    app.commands.sign_agreement("sla-1", terms, APRIL)
    clock.now = MAY + timedelta(hours=1)
    for objective_id in OBJECTIVES:
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
    closed = app.commands.close_periods("sla-1", MAY)
    reductions = [
        e.event.reduction_after.amount for e in closed.events if isinstance(e.event, CreditCapped)
    ]
    assert reductions == [Decimal("500.00"), Decimal("500.00")]


def test_an_acknowledgement_recalculating_two_credits_allocates_their_fee_period_once(
    app: LedgerApplication, clock: SettableClock, make_terms: Callable[..., Any]
) -> None:
    _capped_april(app, clock, make_terms)
    clock.now = LATER
    app.commands.record_exclusion("sla-1", OUTAGE)
    clock.now = LATER + timedelta(days=1)

    app.exclusion_acknowledgements.acknowledge("sla-1", OUTAGE.exclusion_id, "globex")

    # The 04-10 reading leaves both counts: 29,000 / 29,000 = 100% -> both met, 1,000.00 -> 0.00
    # each (CreditAdjusted -1,000.00); April now holds 0.00 of credits: both reductions 500.00
    # -> 0.00, one entry each (+500.00), after both adjustments.
    period_events = [
        e for e in app.event_log.agreement_events("sla-1") if isinstance(e, PeriodEvent)
    ]
    adjusted = [e for e in period_events if isinstance(e, CreditAdjusted)]
    capped = [e for e in period_events if isinstance(e, CreditCapped)][2:]
    assert [e.delta.amount for e in adjusted] == [Decimal("-1000.00")] * 2
    assert [(e.objective_id, e.reduction_before.amount, e.delta.amount) for e in capped] == [
        ("availability", Decimal("500.00"), Decimal("500.00")),
        ("latency", Decimal("500.00"), Decimal("500.00")),
    ]
    agreement = app.agreements.find_agreement("sla-1")
    assert agreement is not None
    assert recorded_reductions(period_events) == replayed_reductions(agreement, period_events) == {}
