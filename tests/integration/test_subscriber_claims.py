"""Claims on a service SLA, on SQLite and PostgreSQL: each subscriber's credit is claimed in its
own period stream, under the service's claim rule, and named by its customer.

Globex subscribes to basic (99.0%, EUR 100.00 a month) from February 2026; February's readings
are 985 of 1,000 good = 98.5% < 99.0 -> 25% of EUR 100.00 = EUR 25.00. Claims are due within one
billing cycle: March, so by 1 April 2026 00:00 UTC."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.claims import ClaimRule
from domain.credit_lifecycle import CreditStatus
from domain.errors import InvalidArgumentError, NotFoundError
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from service.app.application import LedgerApplication
from service.app.claims import CreditKey
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_slas import FEBRUARY, MARCH, SERVICE, service_terms, subscribe

FEBRUARY_CREDIT = CreditKey(SERVICE, "globex", "availability", "2026-02")


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(
        parse_database_url(database_url), clock=SteppingClock(datetime(2026, 3, 2, tzinfo=UTC))
    )
    terms = dataclasses.replace(service_terms(), claim_rule=ClaimRule(deadline_billing_cycles=1))
    application.commands.sign_agreement(SERVICE, terms, datetime(2026, 1, 1, tzinfo=UTC))
    subscribe(application)
    noon = FEBRUARY + timedelta(hours=12)
    application.ingest.record_measurements(
        SERVICE,
        [Measurement("availability", "", to_epoch_us(noon + timedelta(days=3)), 985, 1000)],
    )
    application.commands.close_periods(SERVICE, MARCH)
    yield application
    application.close()


def test_a_subscribers_credit_is_claimed_in_its_own_stream(app: LedgerApplication) -> None:
    after = app.claims.claim(FEBRUARY_CREDIT, "GLX-1", "")

    assert (after.state.customer_id, after.state.status, after.state.claimed) == (
        "globex",
        CreditStatus.CLAIMED,
        Money(Decimal("25.00"), "EUR"),
    )
    assert after.state.claim_deadline == datetime(2026, 4, 1, tzinfo=UTC)


def test_a_service_slas_credit_needs_its_customer(app: LedgerApplication) -> None:
    with pytest.raises(InvalidArgumentError):
        app.claims.claim(dataclasses.replace(FEBRUARY_CREDIT, customer_id=""), "GLX-1", "")


def test_a_customer_without_that_credit_finds_no_period(app: LedgerApplication) -> None:
    with pytest.raises(NotFoundError):
        app.claims.claim(dataclasses.replace(FEBRUARY_CREDIT, customer_id="initech"), "X", "")
