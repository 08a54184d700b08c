"""Policies, outcomes and money the credit tests share."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.credit_policies import BandsRule, BonusRule, CountRule, CreditBand, CreditPolicy
from domain.credits import CreditDecision, Outcome
from domain.money import Money

# The shape of the large cloud providers' SLAs, deliberately not sorted.
CLOUD_BANDS = BandsRule(
    (
        CreditBand(Decimal("99.0"), Decimal(30)),
        CreditBand(Decimal("99.99"), Decimal(10)),
        CreditBand(Decimal("95.0"), Decimal(100)),
    )
)
BANDS_POLICY = CreditPolicy(CLOUD_BANDS)
# A bonus of 5% of the fee at or above 99.99.
BONUS = BonusRule(above_percent=Decimal("99.99"), bonus_percent=Decimal(5))
DAY = timedelta(days=1)


def money(amount: str, currency: str) -> Money:
    """Money from a decimal string."""
    return Money(Decimal(amount), currency)


def breached(attainment: str, target: str | None = "99.99") -> Outcome:
    """A breached period that attained attainment percent against target."""
    return Outcome(
        attainment_percent=Decimal(attainment),
        target_percent=None if target is None else Decimal(target),
        bad_events=0,
        breached=True,
    )


def met(attainment: str, target: str = "99.9") -> Outcome:
    """A period that met its target, attaining attainment percent."""
    return Outcome(Decimal(attainment), Decimal(target), bad_events=0, breached=False)


def issued(decision: CreditDecision | None) -> CreditDecision:
    """decision, which the test expects to be issued."""
    assert decision is not None, "expected a credit, got none"
    return decision


# 15% of the fee once three or more bad events occur.
THREE_FAILURES = CountRule(at_least=3, credit_percent=Decimal(15))
COUNT_POLICY = CreditPolicy(THREE_FAILURES)
