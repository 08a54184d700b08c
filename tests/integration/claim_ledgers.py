"""An application with one claim-driven credit: April 2026 (UTC, monthly fee EUR 1,000.00) at
99.0% availability against 99.9, credited 10% = EUR 100.00, claims due within two billing
cycles (deadline 1 July 2026 00:00 UTC), minimum EUR 20.00."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.claims import ClaimRule
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import ObjectiveRules
from domain.terms import Objective, PeriodUnit
from service.app.application import LedgerApplication
from service.app.claims import CreditKey
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

AGREEMENT = "globex-claims"
APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
DEADLINE = datetime(2026, 7, 1, tzinfo=UTC)
APRIL = CreditKey(AGREEMENT, "", "availability", "2026-04")
BANDS = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(10)),)))
RULE = ClaimRule(deadline_billing_cycles=2, minimum_amount=Decimal("20.00"))


@contextmanager
def claims_app(database_url: str) -> Iterator[tuple[LedgerApplication, SettableClock]]:
    """An application on the backend, its clock just after April's close."""
    clock = SettableClock(MAY + timedelta(hours=1))
    app = open_application(parse_database_url(database_url), clock=clock)
    try:
        yield app, clock
    finally:
        app.close()


def sign_and_close_april(
    app: LedgerApplication,
    make_terms: Callable[..., Any],
    rule: ClaimRule | None = RULE,
    agreement_id: str = AGREEMENT,
) -> None:
    """Sign the agreement, record April's readings (one a day, 990 of 1,000 good) and close it."""
    objective = Objective(
        "availability",
        "availability",
        Decimal("99.9"),
        PeriodUnit.MONTH,
        rules=ObjectiveRules(credit_policy=BANDS),
    )
    terms = make_terms(time_zone="UTC", term_start=APR, objectives=(objective,), claim_rule=rule)
    app.commands.sign_agreement(agreement_id, terms, APR)
    noon = APR + timedelta(hours=12)
    readings = [
        Measurement("availability", "", to_epoch_us(noon + timedelta(days=d)), 990, 1000)
        for d in range(30)
    ]
    app.ingest.record_measurements(agreement_id, readings)
    app.commands.close_periods(agreement_id, MAY)
