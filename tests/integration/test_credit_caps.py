"""The cap across objectives through the application, on SQLite and PostgreSQL: appended with
the close or recalculation that changes a credit, in the credit ledger, balances and export,
for an agreement and for each subscriber of a service SLA on its own fee."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.credit_cap_oracle import recorded_reductions, replayed_reductions
from domain.credit_caps import CreditCap, CreditCapped
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import ObjectiveRules
from domain.period_results import CreditIssued, PeriodClosed, PeriodEvent
from domain.terms import Objective, PeriodUnit
from projections.exports import write_credits_csv
from projections.queries import CreditFilter, credit_balances, list_credits
from service.app.application import LedgerApplication
from service.app.credit_caps import with_caps
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_slas import (
    BASIC_FEE,
    GLOBEX,
    INITECH,
    PREMIUM_FEE,
    SERVICE,
    service_terms,
)

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
AGREEMENT = "acme-capped"


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(
        parse_database_url(database_url), clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC))
    )
    yield application
    application.close()


def _credit_of(percent: int) -> ObjectiveRules:
    band = CreditBand(Decimal("99.9"), Decimal(percent))
    return ObjectiveRules(credit_policy=CreditPolicy(BandsRule((band,))))


def _down(objective_id: str, month: datetime, count: int = 10) -> list[Measurement]:
    """count one-minute readings of 0 good of 60 from the start of month."""
    return [
        Measurement(objective_id, "", to_epoch_us(month + timedelta(minutes=i)), 0, 60)
        for i in range(count)
    ]


def _sign_three(
    app: LedgerApplication, make_terms: Callable[..., Any], cap: CreditCap | None
) -> None:
    """EUR 1,000.00 a month (UTC); availability, latency and support credited 100%, 50%, 30%
    of the fee below 99.9%; January measured 0 of 60 for each."""
    objectives = tuple(
        Objective(name, name, Decimal("99.9"), PeriodUnit.MONTH, rules=_credit_of(percent))
        for name, percent in (("availability", 100), ("latency", 50), ("support", 30))
    )
    terms = make_terms(time_zone="UTC", objectives=objectives, credit_cap=cap)
    app.commands.sign_agreement(AGREEMENT, terms, JANUARY)
    for objective in objectives:
        app.ingest.record_measurements(AGREEMENT, _down(objective.objective_id, JANUARY))


def _period_events(app: LedgerApplication, agreement_id: str = AGREEMENT) -> list[PeriodEvent]:
    return [e for e in app.event_log.agreement_events(agreement_id) if isinstance(e, PeriodEvent)]


def test_a_close_appends_the_cap_entries_in_the_same_append_as_the_credits(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign_three(app, make_terms, CreditCap(percent_of_fee=Decimal(100)))

    closed = app.commands.close_periods(AGREEMENT, FEBRUARY)

    # 1,000.00 + 500.00 + 300.00 = 1,800.00 over the cap 1,000.00: kept 555.55, 277.78, 166.67
    # (docs/semantics.md "Caps across objectives"), reductions 444.45, 222.22, 133.33.
    capped = [logged.event for logged in closed.events if isinstance(logged.event, CreditCapped)]
    assert [(e.objective_id, e.delta.amount) for e in capped] == [
        ("availability", Decimal("-444.45")),
        ("latency", Decimal("-222.22")),
        ("support", Decimal("-133.33")),
    ]
    positions = [logged.position for logged in closed.events]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    # Each entry follows its credit in the credit's own period stream.
    issued = {e.originator_id: e for e in _period_events(app) if isinstance(e, CreditIssued)}
    assert all(
        e.originator_version == issued[e.originator_id].originator_version + 1 for e in capped
    )


def test_a_recalculation_gives_back_reductions_by_new_entries(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign_three(app, make_terms, CreditCap(percent_of_fee=Decimal(100)))
    app.commands.close_periods(AGREEMENT, FEBRUARY)
    # 10,000,000 good of 10,000,000 for support: 10,000,000 / 10,000,600 = 99.994% >= 99.9 ->
    # support met, its credit 300.00 -> 0.00.
    late = Measurement("support", "", to_epoch_us(JANUARY + timedelta(days=9)), 10**7, 10**7)
    app.ingest.record_measurements(AGREEMENT, [late])

    events = [
        logged.event for logged in app.commands.recalculate_period(AGREEMENT, "support", "2026-01")
    ]

    # 1,000.00 + 500.00 = 1,500.00 over 1,000.00: kept 666.67 and 333.33 (100,000 x 100,000 /
    # 150,000 = 66,666 rest 100,000; 33,333 rest 50,000; the cent left to availability).
    assert {e.objective_id: e.delta.amount for e in events if isinstance(e, CreditCapped)} == {
        "availability": Decimal("111.12"),  # 444.45 -> 333.33
        "latency": Decimal("55.55"),  # 222.22 -> 166.67
        "support": Decimal("133.33"),  # 133.33 -> 0.00
    }
    period_events = _period_events(app)
    agreement = app.agreements.find_agreement(AGREEMENT)
    assert agreement is not None
    assert recorded_reductions(period_events) == replayed_reductions(agreement, period_events)


def test_the_credit_ledger_balance_and_export_carry_the_cap_entries(
    app: LedgerApplication, make_terms: Callable[..., Any], database_url: str
) -> None:
    _sign_three(app, make_terms, CreditCap(amount=Decimal("900.00")))
    app.commands.close_periods(AGREEMENT, FEBRUARY)
    models = open_read_models(app, parse_database_url(database_url), create_tables=False)
    models.create()
    try:
        models.catch_up()
        rows = list_credits(models.engine, CreditFilter(agreement_id=AGREEMENT), 0, 100)
        [balance] = credit_balances(models.engine, "globex")
        output = io.StringIO()
        write_credits_csv(models.engine, CreditFilter(agreement_id=AGREEMENT), output)
    finally:
        models.stop()

    # Cap 900.00 over 1,800.00: 90,000 cents as 100,000 : 50,000 : 30,000 -> exactly 50,000,
    # 25,000 and 15,000 (no rest): kept 500.00, 250.00, 150.00, reductions 500.00, 250.00, 150.00.
    capped = [(r.objective_id, r.amount_minor) for r in rows if r.kind == "credit_capped"]
    assert capped == [("availability", -50000), ("latency", -25000), ("support", -15000)]
    # Net: 180,000 - 90,000 = 90,000 cents = EUR 900.00, the cap.
    assert (balance.currency, balance.credits_minor) == ("EUR", 90000)
    lines = list(csv.DictReader(io.StringIO(output.getvalue())))
    assert [(r["kind"], r["amount"]) for r in lines if r["kind"] == "credit_capped"] == [
        ("credit_capped", "-500.00"),
        ("credit_capped", "-250.00"),
        ("credit_capped", "-150.00"),
    ]


def test_terms_without_a_cap_close_without_cap_entries(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign_three(app, make_terms, None)

    closed = app.commands.close_periods(AGREEMENT, FEBRUARY)

    assert not [e for e in closed.events if isinstance(e.event, CreditCapped)]


class _NoReads:
    """A log that refuses every read: applying no cap must not read."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"read {name} without a cap")


def test_applying_the_cap_for_terms_without_one_reads_nothing(
    app: LedgerApplication, make_terms: Callable[..., Any]
) -> None:
    _sign_three(app, make_terms, None)
    agreement = app.agreements.find_agreement(AGREEMENT)
    assert agreement is not None
    closed = app.commands.close_periods(AGREEMENT, FEBRUARY)
    events = [logged.event for logged in closed.events]

    assert with_caps(_NoReads(), events, lambda _c: agreement) == events  # type: ignore[arg-type]


def _capped_service(app: LedgerApplication) -> None:
    """The service's bands: below 99.9 -> 10%, below 99 -> 25% of the subscriber's fee; a cap
    of 10% of the fee. globex (basic, EUR 100.00) and initech (premium, EUR 300.00) both
    measured 0 of 60 in February (labelled with their customer, in minutes of their own)."""
    terms = replace(service_terms(), credit_cap=CreditCap(percent_of_fee=Decimal(10)))
    app.commands.sign_agreement(SERVICE, terms, JANUARY)
    subscribers = ((GLOBEX, "basic", BASIC_FEE, 0), (INITECH, "premium", PREMIUM_FEE, 100))
    for party, tier, fee, minute in subscribers:
        app.subscriptions.subscribe(
            agreement_id=SERVICE, customer=party, tier_id=tier, fee=fee, start=FEBRUARY, end=None
        )
        app.ingest.record_measurements(
            SERVICE, [_labelled(party.party_id, minute + i, 0, 60) for i in range(10)]
        )


def _labelled(customer_id: str, minute: int, good: int, total: int) -> Measurement:
    at = to_epoch_us(FEBRUARY + timedelta(minutes=minute))
    return Measurement("availability", "", at, good, total, labels={"customer": customer_id})


def test_each_subscriber_of_a_service_sla_is_capped_on_its_own_fee(app: LedgerApplication) -> None:
    _capped_service(app)

    closed = app.commands.close_periods(SERVICE, MARCH)

    # globex: 25% x 100.00 = 25.00 over 10% x 100.00 = 10.00 -> reduced by 15.00.
    # initech: 25% x 300.00 = 75.00 over 10% x 300.00 = 30.00 -> reduced by 45.00.
    capped = {
        e.event.customer_id: (e.event.cap.amount, e.event.reduction_after.amount)
        for e in closed.events
        if isinstance(e.event, CreditCapped)
    }
    assert capped == {
        "globex": (Decimal("10.00"), Decimal("15.00")),
        "initech": (Decimal("30.00"), Decimal("45.00")),
    }
    assert all(
        e.event.originator_id.startswith(f"agreement:{SERVICE}/customer:")
        for e in closed.events
        if isinstance(e.event, CreditCapped | PeriodClosed)
    )


def test_a_subscribers_recalculation_gives_back_its_own_reduction(app: LedgerApplication) -> None:
    _capped_service(app)
    app.commands.close_periods(SERVICE, MARCH)
    # 10,000,000 good of 10,000,000 for globex: 10,000,000 / 10,000,600 = 99.994% >= 99.9 ->
    # no band, its credit 25.00 -> 0.00; the cap gives its 15.00 back.
    app.ingest.record_measurements(SERVICE, [_labelled("globex", 500, 10**7, 10**7)])

    logged = app.commands.recalculate_period(
        SERVICE, "availability", "2026-02", customer_id="globex"
    )

    capped = [e.event for e in logged if isinstance(e.event, CreditCapped)]
    assert [(e.customer_id, e.reduction_before.amount, e.delta.amount) for e in capped] == [
        ("globex", Decimal("15.00"), Decimal("15.00"))
    ]
