"""A service SLA with two tiers for the integration tests: its terms, fees and signing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from service.app.application import LedgerApplication

SERVICE = "acme-cloud"
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
LIST_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
BASIC_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
PREMIUM_FEE = Fee(Money(Decimal("300.00"), "EUR"), PeriodUnit.MONTH)
BANDS = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.9"), Decimal(10)), CreditBand(Decimal(99), Decimal(25))))
)


def availability(target: str) -> Objective:
    """Monthly availability at target percent."""
    return Objective("availability", "availability", Decimal(target), PeriodUnit.MONTH)


def service_terms() -> AgreementTerms:
    """acme's cloud SLA from 2026-01-01 (UTC): basic at 99.0%, premium at 99.9%, banded
    credits."""
    return AgreementTerms(
        provider=Party("acme", "Acme Cloud"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=LIST_FEE,
        term_start=JANUARY,
        term_end=None,
        credit_policy=BANDS,
        tiers=(
            Tier("basic", "Basic", (availability("99.0"),)),
            Tier("premium", "Premium", (availability("99.9"),)),
        ),
    )


def sign_service(app: LedgerApplication) -> int:
    """Sign the service SLA; the log position of its signing."""
    _, position = app.commands.sign_agreement(SERVICE, service_terms(), JANUARY)
    return position
