"""Balances by state: credits' amounts per customer and currency at as_of, as known at known_at.

A credit's money events (domain/credit_lifecycle.py: its close, issue, adjustments, caps,
claims, decisions, forfeits and settlements) count at (as_of, known_at) when they were recorded
by known_at and their effective instant (credit_lifecycle.effective_at) is at or before as_of.
Each credit's counting events, in log order, are folded by credit_lifecycle.credit_state, the
one fold; the balances are the sums of the folds per customer and currency. replay_balances is
the oracle: the whole log, replayed plainly. The read model (projections/credit_lifecycle_views
.py) selects the same events from its rows and folds them with the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.agreement import Agreement
from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_caps import CreditCapped
from domain.credit_lifecycle import CreditState, counts_at, credit_state
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent

# The events of a credit's life, the ones its state is folded from.
MONEY_EVENTS: tuple[type[PeriodEvent], ...] = (
    PeriodClosed,
    CreditIssued,
    CreditAdjusted,
    CreditCapped,
    CreditClaimed,
    ClaimDecided,
    CreditForfeited,
    CreditSettled,
)
# (agreement_id, customer_id, objective_id, period_label): one credit.
CreditKey = tuple[str, str, str, str]
# The amounts of a credit's state that balances sum (credit_lifecycle.CreditState's names).
BUCKETS = (
    "earned",
    "eligible",
    "claimed",
    "approved",
    "denied",
    "forfeited",
    "settled",
    "outstanding",
)


@dataclass(frozen=True)
class StateBalance:
    """What a customer's credits in one currency amount to, by state."""

    customer_id: str
    currency: str
    earned: Money
    eligible: Money
    claimed: Money
    approved: Money
    denied: Money
    forfeited: Money
    settled: Money
    outstanding: Money

    @classmethod
    def zero(cls, customer_id: str, currency: str) -> StateBalance:
        """Nothing in any state."""
        nothing = Money(Decimal(0), currency).rounded()
        amounts: dict[str, Any] = dict.fromkeys(BUCKETS, nothing)
        return cls(customer_id, currency, **amounts)

    def plus(self, state: CreditState) -> StateBalance:
        """This balance with one more credit's state added."""
        amounts: dict[str, Any] = {
            bucket: Money(
                getattr(self, bucket).amount + getattr(state, bucket).amount, self.currency
            )
            for bucket in BUCKETS
        }
        return replace(self, **amounts)


class BalanceSums:
    """Balances summed from credits' states, one per customer and currency."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, str], StateBalance] = {}

    def add(self, customer_id: str, state: CreditState) -> None:
        """Add a credit's state to its customer's balance in its currency."""
        key = (customer_id, state.currency)
        balance = self._sums.get(key) or StateBalance.zero(*key)
        self._sums[key] = balance.plus(state)

    def balances(self) -> list[StateBalance]:
        """The balances by customer, then currency."""
        return [self._sums[key] for key in sorted(self._sums)]


def replay_balances(
    log: Iterable[Any],
    as_of: datetime,
    known_at: datetime,
    customer_id: str = "",
    currency: str = "",
) -> list[StateBalance]:
    """The oracle: balances by state from every event of the log (in log order), optionally of
    one customer and one currency; by customer, then currency."""
    sums = BalanceSums()
    for key, state in _folds(log, as_of, known_at):
        if state is None or customer_id not in ("", key[1]):
            continue
        if currency in ("", state.currency):
            sums.add(key[1], state)
    return sums.balances()


def _folds(
    log: Iterable[Any], as_of: datetime, known_at: datetime
) -> Iterator[tuple[CreditKey, CreditState | None]]:
    customers: dict[str, str] = {}
    window_ends: dict[CreditKey, datetime] = {}
    counting: dict[CreditKey, list[PeriodEvent]] = {}
    for event in log:
        if isinstance(event, Agreement.Signed):
            customers[event.agreement_id] = event.terms.customer.party_id
        elif isinstance(event, MONEY_EVENTS):
            key = credit_key(event, customers[event.agreement_id])
            if isinstance(event, PeriodClosed):
                window_ends[key] = event.window_end
            if counts_at(event, window_ends[key], as_of, known_at):
                counting.setdefault(key, []).append(event)
    for key in sorted(counting):
        yield key, credit_state(counting[key])


def credit_key(event: PeriodEvent, agreement_customer: str) -> CreditKey:
    """The credit a period event belongs to: its subscriber, else the agreement's customer."""
    customer = event.customer_id or agreement_customer
    return (event.agreement_id, customer, event.objective_id, event.period_label)
