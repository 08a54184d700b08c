"""The terms' cap across objectives (CreditCap) and the rules its settings keep; kept apart
from domain/credit_caps.py so that domain/terms.py can hold it without importing events."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.money import Money


@dataclass(frozen=True)
class CreditCap:
    """The most a fee period's credits may total: percent_of_fee of its fee, or amount."""

    percent_of_fee: Decimal | None = None
    amount: Decimal | None = None

    def cap_for(self, fee: Money) -> Money:
        """The cap of a fee period whose fee is fee, rounded once to the minor unit."""
        if self.amount is not None:
            return Money(self.amount, fee.currency).rounded()
        assert self.percent_of_fee is not None
        return Money(fee.amount * self.percent_of_fee / 100, fee.currency).rounded()


def cap_violations(cap: CreditCap, currency: str, prefix: str) -> list[tuple[str, str]]:
    """(field path, description) for each rule the cap breaks: exactly one of percent_of_fee
    (0 < p <= 100) and amount (>= 0, in the fee's currency minor unit)."""
    found: list[tuple[str, str]] = []
    given = [name for name in ("percent_of_fee", "amount") if getattr(cap, name) is not None]
    if len(given) != 1:
        found.append((prefix, "give exactly one of percent_of_fee and amount"))
    percent = cap.percent_of_fee
    if percent is not None and not (percent.is_finite() and 0 < percent <= 100):
        found.append((f"{prefix}.percent_of_fee", "must be more than 0 and at most 100"))
    amount = cap.amount
    if amount is not None:
        if not amount.is_finite() or amount < 0:
            found.append((f"{prefix}.amount", "must be a finite decimal, not negative"))
        else:
            found.extend(
                (f"{prefix}.amount", description)
                for field_path, description in Money(amount, currency).problems()
                if field_path == "amount"
            )
    return found
