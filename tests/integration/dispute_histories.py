"""An agreement whose April closed as met, for the dispute tests: the ledger, its clock, and the
steps a dispute's parties take."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.disputes import DisputeSubject, SubjectKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

AGREEMENT = "acme-2026"
APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
APRIL_RESULT = DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-04")
# Below 99.9 -> 10%, below 99.0 -> 25%, below 95.0 -> 100% of the monthly fee.
CLOUD_POLICY = CreditPolicy(
    BandsRule(
        (
            CreditBand(Decimal("99.9"), Decimal(10)),
            CreditBand(Decimal("99.0"), Decimal(25)),
            CreditBand(Decimal("95.0"), Decimal(100)),
        )
    )
)


def eur(amount: str) -> Money:
    """Euros from a decimal string."""
    return Money(Decimal(amount), "EUR")


def agreement_terms() -> AgreementTerms:
    """ACME Cloud and Globex: EUR 1,000.00 a month, 99.9% monthly availability, UTC."""
    objective = Objective(
        "availability",
        "availability",
        Decimal("99.9"),
        PeriodUnit.MONTH,
        rules=ObjectiveRules(credit_policy=CLOUD_POLICY),
    )
    return AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party("globex", "Globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=Fee(eur("1000.00"), PeriodUnit.MONTH),
        term_start=APR,
        term_end=None,
        objectives=(objective,),
    )


def reading(at: datetime, good: int, total: int) -> Measurement:
    """One availability reading observed at."""
    return Measurement("availability", "", to_epoch_us(at), good, total)


def april_all_good() -> list[Measurement]:
    """30 daily readings of 1,000 good of 1,000, at 12:00 UTC."""
    return [reading(APR + timedelta(days=n, hours=12), 1000, 1000) for n in range(30)]


@contextmanager
def april_closed_as_met(database_url: str) -> Iterator[tuple[LedgerApplication, SettableClock]]:
    """The agreement signed, April's readings all good, April closed (met) on 2 May."""
    clock = SettableClock(datetime(2026, 4, 1, 1, tzinfo=UTC))
    app = open_application(parse_database_url(database_url), clock=clock)
    try:
        app.commands.sign_agreement(AGREEMENT, agreement_terms(), APR)
        clock.now = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
        app.ingest.record_measurements(AGREEMENT, april_all_good())
        clock.now = datetime(2026, 5, 2, tzinfo=UTC)
        app.commands.close_periods(AGREEMENT, MAY)
        yield app, clock
    finally:
        app.close()


def open_april_dispute(app: LedgerApplication, dispute_id: str = "d-1") -> None:
    """Globex disputes April's result."""
    app.disputes.open(
        AGREEMENT,
        dispute_id,
        APRIL_RESULT,
        "our monitoring saw the API down on 10 April",
        "monitor export INC-42",
    )
