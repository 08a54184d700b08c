"""A service SLA's periods per subscriber on real storage (SQLite and PostgreSQL): exclusions for
one subscriber, late readings, the recalculation of one subscriber's period, and the record of
periods closed for subscribers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from domain.errors import InvalidArgumentError, NotFoundError
from domain.exclusions import Exclusion, ExclusionKind
from domain.identifiers import period_stream
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.oracle import replay_subscriber_compliance
from domain.period_results import BreachDetected, CreditAdjusted, PeriodRecalculated
from domain.terms import AgreementTerms
from service.app.application import LedgerApplication
from service.store.subscriber_closes import SUBSCRIBER_CLOSES_TABLE
from tests.integration.service_slas import (
    FEBRUARY,
    INITECH,
    JANUARY,
    MARCH,
    PREMIUM_FEE,
    SERVICE,
    close_for,
    open_service_app,
    subscribe,
    subscription_events,
)


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_service_app(database_url)
    yield application
    application.close()


FEBRUARY_LABEL = "2026-02"


def readings(
    count: int, good: int, start: datetime = FEBRUARY, customer: str = ""
) -> list[Measurement]:
    """count one-minute availability readings of good of 60 from start (labelled with a
    customer when given)."""
    labels = {"customer": customer} if customer else None
    return [
        Measurement(
            "availability",
            "",
            to_epoch_us(start + timedelta(minutes=i)),
            good=good,
            total=60,
            labels=labels,
        )
        for i in range(count)
    ]


def customer_exclusion(customer_id: str) -> Exclusion:
    return Exclusion(
        "ex-1",
        FEBRUARY,
        FEBRUARY + timedelta(hours=1),
        ExclusionKind.CUSTOMER_CAUSED,
        "the customer's firewall",
        customer_id=customer_id,
    )


def test_an_exclusion_for_one_subscriber_is_recorded(app: LedgerApplication) -> None:
    subscribe(app)

    recorded, position = app.commands.record_exclusion(SERVICE, customer_exclusion("globex"))

    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    assert (recorded, position) == (True, app.event_log.head())
    assert [e.customer_id for e in service.exclusions] == ["globex"]


def test_an_exclusion_naming_a_customer_without_a_subscription_is_refused(
    app: LedgerApplication,
) -> None:
    subscribe(app)

    with pytest.raises(InvalidArgumentError) as refused:
        app.commands.record_exclusion(SERVICE, customer_exclusion("initech"))

    assert [v.field for v in refused.value.violations] == ["exclusion.customer_id"]
    assert app.event_log.head() == 2  # the signing and the subscription


def test_a_service_reading_in_a_period_closed_for_one_subscriber_is_late(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    subscribe(app, customer=INITECH, start=MARCH - timedelta(days=1))
    app.ingest.record_measurements(SERVICE, readings(10, 60))
    assert close_for(app, "globex", MARCH)  # initech's February is not closed

    batch = app.ingest.record_measurements(SERVICE, readings(2, 0, FEBRUARY + timedelta(days=1)))

    assert (batch.recorded_count, batch.late_count) == (2, 2)


def test_a_service_reading_in_a_period_closed_for_nobody_is_on_time(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    close_for(app, "globex", MARCH)

    batch = app.ingest.record_measurements(SERVICE, readings(2, 60, MARCH))

    assert (batch.recorded_count, batch.late_count) == (2, 0)


def test_a_customer_reading_is_late_only_when_that_subscriber_s_period_is_closed(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    subscribe(app, customer=INITECH)
    close_for(app, "globex", MARCH)

    globex = app.ingest.record_measurements(SERVICE, readings(1, 0, customer="globex"))
    initech = app.ingest.record_measurements(SERVICE, readings(1, 0, customer="initech"))

    assert (globex.late_count, initech.late_count) == (1, 0)


def test_recalculating_a_subscriber_s_period_compensates_in_its_stream_only(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    subscribe(app, customer=INITECH, tier_id="premium", fee=PREMIUM_FEE)
    app.ingest.record_measurements(SERVICE, readings(100, 60))
    close_for(app, "globex", MARCH)
    close_for(app, "initech", MARCH)
    initech_stream = period_stream(SERVICE, "availability", FEBRUARY_LABEL, "initech")
    initech_head = app.event_log.stream_heads([initech_stream])
    app.ingest.record_measurements(SERVICE, readings(2, 0, FEBRUARY + timedelta(days=2)))

    appended = app.commands.recalculate_period(
        SERVICE, "availability", FEBRUARY_LABEL, customer_id="globex"
    )

    globex_stream = period_stream(SERVICE, "availability", FEBRUARY_LABEL, "globex")
    assert [type(logged.event) for logged in appended] == [
        PeriodRecalculated,
        BreachDetected,
        CreditAdjusted,
    ]
    assert {logged.event.originator_id for logged in appended} == {globex_stream}
    assert {logged.event.customer_id for logged in appended} == {"globex"}
    assert app.event_log.stream_heads([initech_stream]) == initech_head
    adjusted = appended[-1].event
    assert isinstance(adjusted, CreditAdjusted)
    assert adjusted.after == Money(Decimal("25.00"), "EUR")  # 98.04% < 99.0%: 25% of 100.00


def test_a_recalculated_subscriber_period_equals_the_oracle_s_replay_of_its_view(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    app.commands.record_exclusion(SERVICE, customer_exclusion("globex"))
    app.ingest.record_measurements(SERVICE, readings(100, 60))
    close_for(app, "globex", MARCH)
    late = readings(30, 0, FEBRUARY + timedelta(minutes=45, seconds=30))  # 15 excluded
    app.ingest.record_measurements(SERVICE, late)

    [recalculated, *_] = app.commands.recalculate_period(
        SERVICE, "availability", FEBRUARY_LABEL, customer_id="globex"
    )

    known_at = app.now()
    events = app.event_log.agreement_events(SERVICE)
    own = subscription_events(app, "globex")
    in_window = replay_subscriber_compliance(
        events, own, MARCH - timedelta(microseconds=1), known_at
    )
    after = replay_subscriber_compliance(events, own, MARCH + timedelta(days=1), known_at)
    assert isinstance(recalculated.event, PeriodRecalculated)
    [figures] = recalculated.event.after
    [track] = in_window.objectives[0].tracks
    assert (figures.attained, figures.good, figures.total, figures.readings) == (
        track.attained,
        track.good,
        track.total,
        track.readings,
    )
    assert (figures.excluded, figures.target) == (track.excluded, track.target)
    assert [b.period_label for b in after.breaches if not b.retracted] == [FEBRUARY_LABEL]
    assert after.credit_totals() == {("credit", "EUR"): Money(Decimal("25.00"), "EUR")}


def test_recalculating_a_service_sla_period_without_a_customer_names_the_field(
    app: LedgerApplication,
) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        app.commands.recalculate_period(SERVICE, "availability", FEBRUARY_LABEL)

    assert [v.field for v in refused.value.violations] == ["customer_id"]


def test_recalculating_the_period_of_an_unknown_subscriber_is_not_found(
    app: LedgerApplication,
) -> None:
    with pytest.raises(NotFoundError):
        app.commands.recalculate_period(
            SERVICE, "availability", FEBRUARY_LABEL, customer_id="initech"
        )


def test_recalculating_a_customer_based_agreement_s_period_for_a_customer_names_the_field(
    app: LedgerApplication, make_terms: Callable[..., AgreementTerms]
) -> None:
    app.commands.sign_agreement("acme-1", make_terms(), JANUARY)

    with pytest.raises(InvalidArgumentError) as refused:
        app.commands.recalculate_period("acme-1", "availability", "2026-01", customer_id="globex")

    assert [v.field for v in refused.value.violations] == ["customer_id"]


@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET period_label = period_label", "DELETE FROM {table}"]
)
def test_the_database_refuses_to_change_the_record_of_periods_closed_for_subscribers(
    app: LedgerApplication, database_url: str, statement: str
) -> None:
    subscribe(app)
    close_for(app, "globex", MARCH)
    url = make_url(database_url)
    schema = url.query.get("schema")
    table = f'"{schema}".{SUBSCRIBER_CLOSES_TABLE}' if schema else SUBSCRIBER_CLOSES_TABLE
    engine = create_engine(url.difference_update_query(["schema"]))
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement.format(table=table)))
    finally:
        engine.dispose()

    assert app.ledger_recorder.closed_for_a_subscriber(SERVICE, [("availability", "2026-02")])
