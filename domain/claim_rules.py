"""The terms' claim rule: credits that must be claimed by a deadline, and a minimum to claim.

Kept apart from domain/claims.py (the events and the deadline) because the terms import it and
the events import what imports the terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.money import MAX_AMOUNT, Money

MAX_DEADLINE_DAYS = 3650
MAX_DEADLINE_BILLING_CYCLES = 120


@dataclass(frozen=True)
class ClaimRule:
    """Credits must be claimed: by the end of the deadline_days-th local day, or of the
    deadline_billing_cycles-th fee period, after the one holding the period's last instant;
    a claim of less than minimum_amount (in the fee's currency) is refused."""

    deadline_days: int | None = None
    deadline_billing_cycles: int | None = None
    minimum_amount: Decimal = Decimal(0)


def claim_rule_violations(rule: ClaimRule, currency: str, prefix: str) -> list[tuple[str, str]]:
    """(field path, description) for each rule the claim rule breaks: exactly one of
    deadline_days (1..3650) and deadline_billing_cycles (1..120); minimum_amount >= 0 in the
    fee's currency and minor unit."""
    found: list[tuple[str, str]] = []
    given = [
        name
        for name in ("deadline_days", "deadline_billing_cycles")
        if getattr(rule, name) is not None
    ]
    if len(given) != 1:
        found.append((prefix, "give exactly one of deadline_days and deadline_billing_cycles"))
    for name, most in (
        ("deadline_days", MAX_DEADLINE_DAYS),
        ("deadline_billing_cycles", MAX_DEADLINE_BILLING_CYCLES),
    ):
        value = getattr(rule, name)
        if value is not None and not 1 <= value <= most:
            found.append((f"{prefix}.{name}", f"must be from 1 to {most}"))
    minimum = rule.minimum_amount
    if not minimum.is_finite() or minimum < 0:
        found.append((f"{prefix}.minimum_amount", "must be a finite decimal, not negative"))
    elif minimum >= MAX_AMOUNT:
        found.append((f"{prefix}.minimum_amount", f"must be less than {MAX_AMOUNT:,}"))
    else:
        found.extend(
            (f"{prefix}.minimum_amount", description)
            for field_path, description in Money(minimum, currency).problems()
            if field_path == "amount"
        )
    return found
