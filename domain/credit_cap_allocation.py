"""How a fee period's cap across objectives is shared between its credits.

The rule (docs/semantics.md "Caps across objectives"): the credits are taken in order of their
window's start. While the running total stays within the cap, every credit keeps its amount. The
group of credits whose window start makes the running total cross the cap shares the room left
(cap - the total of the earlier groups) in proportion to their amounts, in minor units: each
gets floor(room x amount / group total), and the minor units left over go one each to the
largest remainders, ties by objective id (then period label). Every later group keeps nothing.
A credit's reduction is its amount minus what it keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from domain.money import MINOR_UNITS, Money

CreditKey = tuple[str, str]  # (objective id, period label)


@dataclass(frozen=True)
class CapCredit:
    """One credit of a fee period as the cap sees it: its amount before the cap (CreditIssued
    and the CreditAdjusted changes), what the cap takes from it now, and its stream's head."""

    objective_id: str
    period_label: str
    window_start: datetime
    amount: Money
    reduction: Money
    version: int

    @property
    def key(self) -> CreditKey:
        """(objective id, period label)."""
        return (self.objective_id, self.period_label)


@dataclass(frozen=True)
class Share:
    """What one credit keeps under the cap, what the cap takes, and why (in words)."""

    kept: Money
    reduction: Money
    reason: str


def _minor(money: Money) -> int:
    scaled = money.amount.scaleb(MINOR_UNITS[money.currency])
    if scaled == scaled.to_integral_value():  # amounts and caps are rounded already
        return int(scaled)
    return int(money.rounded().amount.scaleb(money.minor_unit))


def _money(minor: int, currency: str) -> Money:
    return Money(Decimal(minor).scaleb(-MINOR_UNITS[currency]), currency)


def allocate(cap: Money, credits: Sequence[CapCredit]) -> dict[CreditKey, Share]:
    """Each credit's share of the fee period's cap (see the module's docstring)."""
    currency = cap.currency
    room = max(_minor(cap), 0)
    shares: dict[CreditKey, Share] = {}
    ordered = sorted(credits, key=lambda c: (c.window_start, c.objective_id, c.period_label))
    crossed = False
    for _start, members in groupby(ordered, key=lambda c: c.window_start):
        group = list(members)
        amounts = {c.key: _minor(c.amount) for c in group}
        total = sum(amounts.values())
        if crossed:
            kept = dict.fromkeys(amounts, 0)
            reason = "after the cap was reached by credits of earlier windows"
        elif total <= room:
            kept = amounts
            reason = "within the cap"
            room -= total
        else:
            kept = _proportional(room, amounts)
            reason = f"shares the {_money(room, currency).amount} left of the cap in proportion"
            crossed, room = True, 0
        for c in group:
            keeps = kept[c.key]
            shares[c.key] = Share(
                _money(keeps, currency), _money(amounts[c.key] - keeps, currency), reason
            )
    return shares


def _proportional(room: int, amounts: dict[CreditKey, int]) -> dict[CreditKey, int]:
    """room minor units shared in proportion to amounts (total above room), largest remainder,
    ties by key."""
    total = sum(amounts.values())
    kept = {key: room * amount // total for key, amount in amounts.items()}
    remainders = {key: room * amount % total for key, amount in amounts.items()}
    left = room - sum(kept.values())
    for key in sorted(amounts, key=lambda k: (-remainders[k], k))[:left]:
        kept[key] += 1
    return kept
