"""A service SLA's late exclusion on real storage (SQLite and PostgreSQL): recorded after a
period closed for a subscriber it waits for acknowledgement, and each subscriber acknowledges
it for itself: its own closed periods are recalculated, the others' are not, and later closes
count it for that subscriber alone, as the replay oracle of each subscriber's view does.

The service: basic tier at 99.0% monthly, below 99.9 -> 10%, below 99.0 -> 25% of EUR 100.00;
globex and initech subscribe to basic from February; acknowledgement after 30 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.exclusion_rules import ExclusionRules
from domain.exclusion_standing import ExclusionStanding
from domain.exclusions import Exclusion, ExclusionKind
from domain.identifiers import period_stream
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.oracle import replay_subscriber_compliance
from domain.period_results import BreachRetracted, CreditAdjusted, CreditIssued, PeriodRecalculated
from domain.terms import Party
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_slas import (
    FEBRUARY,
    INITECH,
    MARCH,
    SERVICE,
    service_terms,
    subscribe,
    subscription_events,
)

APRIL = datetime(2026, 4, 1, tzinfo=UTC)
# From February 02:00 to March 03:00: the outages at 02:00 of both months.
OUTAGES = Exclusion(
    "network-2026",
    FEBRUARY + timedelta(hours=2),
    MARCH + timedelta(hours=3),
    ExclusionKind.OTHER,
    "an upstream network fault",
)


def minutes(start: datetime, count: int, good: int) -> list[Measurement]:
    return [
        Measurement(
            "availability", "", to_epoch_us(start + timedelta(minutes=i)), good=good, total=60
        )
        for i in range(count)
    ]


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    """Given: the service signed with the acknowledgement rule, globex and initech on basic,
    and in each of February and March 100 good one-minute readings (from 00:00 in February,
    04:00 in March, outside the exclusion) and 10 bad ones from 02:00: 100 x 60 good of
    110 x 60 = 90.91% < 99.0 -> 25% of EUR 100.00 = EUR 25.00. February is closed for both
    (the record clock runs from 2026-06-01)."""
    application = open_application(
        parse_database_url(database_url), clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC))
    )
    terms = replace(service_terms(), exclusion_rules=ExclusionRules(acknowledgement_after_days=30))
    application.commands.sign_agreement(SERVICE, terms, terms.term_start)
    subscribe(application)
    subscribe(application, customer=INITECH)
    for month in (FEBRUARY, MARCH):
        good_from = month if month == FEBRUARY else month + timedelta(hours=4)
        application.ingest.record_measurements(SERVICE, minutes(good_from, 100, 60))
        application.ingest.record_measurements(SERVICE, minutes(month + timedelta(hours=2), 10, 0))
    closed = application.commands.close_periods(SERVICE, MARCH)
    credits = [e.event for e in closed.events if isinstance(e.event, CreditIssued)]
    assert sorted((c.customer_id, c.amount.amount) for c in credits) == [
        ("globex", Decimal("25.00")),
        ("initech", Decimal("25.00")),
    ]
    yield application
    application.close()


def test_a_service_wide_exclusion_after_a_subscribers_close_waits_for_acknowledgement(
    app: LedgerApplication,
) -> None:
    app.commands.record_exclusion(SERVICE, OUTAGES)

    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    (recorded,) = service.recorded_exclusions
    assert recorded.acknowledgement_required
    assert recorded.standing("globex") is ExclusionStanding.AWAITING_ACKNOWLEDGEMENT


def test_a_subscribers_acknowledgement_recalculates_its_own_closed_period_only(
    app: LedgerApplication,
) -> None:
    app.commands.record_exclusion(SERVICE, OUTAGES)
    initech_stream = period_stream(SERVICE, "availability", "2026-02", "initech")
    initech_head = app.event_log.stream_heads([initech_stream])

    changed = app.exclusion_acknowledgements.acknowledge(SERVICE, OUTAGES.exclusion_id, "globex")

    # globex's February without the 10 bad minutes: 100 / 100 -> met; 25.00 -> 0.00.
    assert changed.periods_recalculated == 1
    events = app.event_log.agreement_events(SERVICE)
    compensations = [e for e in events if isinstance(e, PeriodRecalculated | BreachRetracted)]
    assert {e.customer_id for e in compensations} == {"globex"}
    (adjusted,) = [e for e in events if isinstance(e, CreditAdjusted)]
    assert (adjusted.customer_id, adjusted.delta) == ("globex", Money(Decimal("-25.00"), "EUR"))
    assert app.event_log.stream_heads([initech_stream]) == initech_head


def test_a_later_close_counts_the_exclusion_for_the_subscriber_that_acknowledged_it_alone(
    app: LedgerApplication,
) -> None:
    app.commands.record_exclusion(SERVICE, OUTAGES)
    app.exclusion_acknowledgements.acknowledge(SERVICE, OUTAGES.exclusion_id, "globex")

    closed = app.commands.close_periods(SERVICE, APRIL)

    # March: globex leaves out the 10 bad minutes (100 / 100, met, no credit); initech does not
    # (90.91%, EUR 25.00).
    credits = [e.event for e in closed.events if isinstance(e.event, CreditIssued)]
    assert [(c.customer_id, c.amount.amount) for c in credits] == [("initech", Decimal("25.00"))]


@pytest.mark.parametrize("customer_id", ["globex", "initech"])
def test_each_subscribers_march_close_equals_the_oracles_replay_of_its_view(
    app: LedgerApplication, customer_id: str
) -> None:
    app.commands.record_exclusion(SERVICE, OUTAGES)
    app.exclusion_acknowledgements.acknowledge(SERVICE, OUTAGES.exclusion_id, "globex")
    closed = app.commands.close_periods(SERVICE, APRIL)

    known_at = app.now()
    events = app.event_log.agreement_events(SERVICE)
    report = replay_subscriber_compliance(
        events, subscription_events(app, customer_id), APRIL - timedelta(microseconds=1), known_at
    )
    [figures] = next(
        e.event.figures
        for e in closed.events
        if getattr(e.event, "figures", None) and e.event.customer_id == customer_id
    )
    [track] = report.objectives[0].tracks
    # globex: 100 x 60 of 100 x 60, 10 readings excluded; initech: 100 x 60 of 110 x 60.
    assert figures.excluded == (10 if customer_id == "globex" else 0)
    assert (figures.good, figures.total, figures.excluded) == (
        track.good,
        track.total,
        track.excluded,
    )


def test_a_subscribers_own_exclusion_waits_only_when_that_subscribers_period_is_closed(
    app: LedgerApplication,
) -> None:
    """hooli subscribes to basic after February closed for globex and initech (so none of
    hooli's periods is closed); an exclusion of 2026-05-20 for hooli, recorded 2026-06-01, is
    within 30 days of its end: it counts at once. The same for globex, whose February is closed
    and which the exclusion of February touches, waits."""
    subscribe(app, customer=Party("hooli", "Hooli"))
    for_hooli = replace(
        OUTAGES,
        exclusion_id="hooli-own",
        start=datetime(2026, 5, 20, tzinfo=UTC),
        end=datetime(2026, 5, 21, tzinfo=UTC),
        customer_id="hooli",
    )
    for_globex = replace(OUTAGES, exclusion_id="globex-own", customer_id="globex")

    app.commands.record_exclusion(SERVICE, for_hooli)
    app.commands.record_exclusion(SERVICE, for_globex)

    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    assert [
        (r.exclusion.exclusion_id, r.acknowledgement_required) for r in service.recorded_exclusions
    ] == [
        ("hooli-own", False),
        ("globex-own", True),
    ]
    assert service.exclusions == [for_hooli]
