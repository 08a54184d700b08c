"""Builders for the credit-lifecycle read-model tests: a ledger on a backend, two breached
months, and the whole log for the replay oracle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.read_models import ReadModels
from service.app.application import LedgerApplication

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
RECORDED_FROM = datetime(2026, 6, 1, tzinfo=UTC)  # the stepping record clock starts here
# Below 99.9% earns 10% of the month's fee.
TEN_PERCENT = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(10)),)))


def monthly_terms(customer: str = "globex", **overrides: Any) -> AgreementTerms:
    """EUR 1,000.00 a month, one monthly availability objective of 99.9% crediting 10%."""
    values: dict[str, Any] = {
        "provider": Party("acme", "Acme Hosting"),
        "customer": Party(customer),
        "kind": AgreementKind.CUSTOMER_BASED,
        "services": ("api",),
        "time_zone": "UTC",
        "fee": Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        "term_start": JANUARY,
        "term_end": None,
        "objectives": (
            Objective(
                "availability",
                "availability",
                Decimal("99.9"),
                PeriodUnit.MONTH,
                rules=ObjectiveRules(credit_policy=TEN_PERCENT),
            ),
        ),
    }
    values.update(overrides)
    return AgreementTerms(**values)


def breach_two_months(app: LedgerApplication, agreement_id: str, customer: str = "globex") -> None:
    """January and February each get 10 readings of 59 or 60 good of 60: 595 / 600 = 99.1667%
    < 99.9%, so both breach and each earns 10% x EUR 1,000.00 = EUR 100.00."""
    app.commands.sign_agreement(agreement_id, monthly_terms(customer), JANUARY)
    for month in (JANUARY, FEBRUARY):
        app.ingest.record_measurements(agreement_id, minutes(month, 10))
    app.commands.close_periods(agreement_id, MARCH)


def lift_january(app: LedgerApplication, agreement_id: str) -> None:
    """A late reading of 60,000 good of 60,000 lifts January to 60,595 / 60,600 = 99.9917%:
    met, so its EUR 100.00 credit is adjusted by -100.00."""
    late = Measurement(
        "availability", "late", to_epoch_us(JANUARY + timedelta(days=3)), 60_000, 60_000
    )
    app.ingest.record_measurements(agreement_id, [late])
    app.commands.recalculate_period(agreement_id, "availability", "2026-01")


def minutes(start: datetime, count: int) -> list[Measurement]:
    """count one-minute readings from start, alternately 59 and 60 good of 60."""
    return [
        Measurement("availability", "", to_epoch_us(start + timedelta(minutes=i)), 59 + i % 2, 60)
        for i in range(count)
    ]


def whole_log(models: ReadModels) -> Iterator[Any]:
    """Every event of the log, in log order."""
    after = 0
    while entries := models.read_log(after, 500):
        yield from (entry.event() for entry in entries)
        after = entries[-1].position
