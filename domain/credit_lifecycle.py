"""The one fold of a credit's life: its amounts by state from the events of its period stream.

A credit (one objective-period's credit of one customer) lives in the objective-period stream
that holds its PeriodClosed, CreditIssued, CreditAdjusted and CreditCapped, and, when the terms
governing the period have a claim rule, its CreditClaimed, ClaimDecided, CreditForfeited and
CreditSettled (domain/claims.py). The application, the replay oracle and the balances read
model all fold those events with credit_state, so they cannot disagree.

The buckets: earned = eligible + claimed + approved + denied + forfeited, always; settled is part
of approved, and outstanding = approved - settled (negative when more was settled than is
approved now: owed back). Without a claim rule every amount is approved when earned.

Changes of the earned amount (CreditAdjusted and CreditCapped deltas, the compensating entries
of a recalculation or of the cap) never edit an earlier event; the fold moves each one between
buckets by fixed rules (docs/semantics.md "Changes after a claim"):
- an increase goes where the credit stands: eligible while unclaimed, claimed while a claim is
  open, approved when approved in full (and always without a claim rule), claimed when partly
  approved (a new claim on the increase, for the provider to decide), denied when denied,
  forfeited when forfeited;
- a decrease is taken from eligible, then claimed, denied, forfeited, and approved last; approved
  below settled makes outstanding negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_caps import CreditCapped
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent


class CreditStatus(Enum):
    """Where a credit stands, from its buckets: claimed if a claim is open, else eligible if any
    is unclaimed, else settled (approved > 0, all of it settled) or approved (any approved or
    settled amount, outstanding != 0), else denied, forfeited, or void (nothing earned)."""

    ELIGIBLE = "eligible"
    CLAIMED = "claimed"
    APPROVED = "approved"
    SETTLED = "settled"
    DENIED = "denied"
    FORFEITED = "forfeited"
    VOID = "void"


class CreditPhase(Enum):
    """The step of its life a credit last took: where an increase of its amount goes."""

    ELIGIBLE = "eligible"
    CLAIMED = "claimed"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    DENIED = "denied"
    FORFEITED = "forfeited"


@dataclass(frozen=True)
class CreditState:
    """One credit's amounts by state (all in its currency) after the events folded."""

    agreement_id: str
    customer_id: str
    objective_id: str
    period_label: str
    currency: str
    earned: Money
    eligible: Money
    claimed: Money
    approved: Money
    denied: Money
    forfeited: Money
    settled: Money
    status: CreditStatus
    claim_deadline: datetime | None
    claim_minimum: Money | None
    version: int  # originator_version of the last event folded: the stream's version
    window_end: datetime | None
    phase: CreditPhase
    settlement_ids: frozenset[str]

    @property
    def outstanding(self) -> Money:
        """approved - settled: still to be settled (negative: owed back)."""
        return Money(self.approved.amount - self.settled.amount, self.currency)

    @property
    def claim_driven(self) -> bool:
        """Whether the credit must be claimed (its period closed under a claim rule)."""
        return self.claim_deadline is not None


_BUCKETS = ("eligible", "claimed", "approved", "denied", "forfeited")
# Where a decrease is taken from, in order.
_DECREASE_ORDER = ("eligible", "claimed", "denied", "forfeited", "approved")
_INCREASE_TO = {
    CreditPhase.ELIGIBLE: "eligible",
    CreditPhase.CLAIMED: "claimed",
    CreditPhase.APPROVED: "approved",
    CreditPhase.PARTLY_APPROVED: "claimed",
    CreditPhase.DENIED: "denied",
    CreditPhase.FORFEITED: "forfeited",
}


class _Fold:
    def __init__(self) -> None:
        self.buckets = dict.fromkeys(_BUCKETS, Decimal(0))
        self.settled = Decimal(0)
        self.settlement_ids: set[str] = set()
        self.closed: PeriodClosed | None = None
        self.first: PeriodEvent | None = None
        self.currency = ""
        self.has_credit = False
        self.version = 0
        self.phase = CreditPhase.APPROVED

    def apply(self, event: PeriodEvent) -> None:
        self.first = self.first or event
        self.version = max(self.version, event.originator_version)
        if isinstance(event, PeriodClosed):
            self.closed = event
            self.currency = self.currency or event.period_fee.currency
            if event.claim_deadline is not None:
                self.phase = CreditPhase.ELIGIBLE
        elif isinstance(event, CreditIssued):
            self._change(event.amount)
        elif isinstance(event, CreditAdjusted | CreditCapped):
            self._change(event.delta)
        elif isinstance(event, CreditClaimed):
            self._move("eligible", "claimed", event.amount.amount)
            self.phase = CreditPhase.CLAIMED
        elif isinstance(event, ClaimDecided):
            source = "denied" if event.dispute_id else "claimed"
            self._move(source, "approved", event.approved.amount)
            if not event.dispute_id:
                self._move("claimed", "denied", event.denied.amount)
            self.phase = self._decided_phase()
        elif isinstance(event, CreditForfeited):
            self._move("eligible", "forfeited", event.amount.amount)
            self.phase = CreditPhase.FORFEITED
        elif isinstance(event, CreditSettled):
            self.settled += event.amount.amount
            self.settlement_ids.add(event.settlement_id)

    def _change(self, change: Money) -> None:
        self.has_credit = True
        self.currency = self.currency or change.currency
        amount = change.amount
        if amount >= 0:
            self.buckets[_INCREASE_TO[self.phase]] += amount
            if self.phase is CreditPhase.PARTLY_APPROVED and amount > 0:
                self.phase = CreditPhase.CLAIMED
            return
        remaining = -amount
        for bucket in _DECREASE_ORDER:
            taken = min(remaining, self.buckets[bucket])
            self.buckets[bucket] -= taken
            remaining -= taken
        # An earned amount below zero cannot arise from the ledger's own events; keep the sum.
        self.buckets["approved"] -= remaining

    def _move(self, source: str, target: str, amount: Decimal) -> None:
        self.buckets[source] -= amount
        self.buckets[target] += amount

    def _decided_phase(self) -> CreditPhase:
        if self.buckets["claimed"] > 0:
            return CreditPhase.CLAIMED
        if self.buckets["denied"] == 0:
            return CreditPhase.APPROVED
        if self.buckets["approved"] == 0:
            return CreditPhase.DENIED
        return CreditPhase.PARTLY_APPROVED

    def status(self) -> CreditStatus:
        b = self.buckets
        if b["claimed"] > 0:
            return CreditStatus.CLAIMED
        if b["eligible"] > 0:
            return CreditStatus.ELIGIBLE
        if b["approved"] > 0 or self.settled > 0:
            if b["approved"] > 0 and self.settled == b["approved"]:
                return CreditStatus.SETTLED
            return CreditStatus.APPROVED
        if b["denied"] > 0:
            return CreditStatus.DENIED
        if b["forfeited"] > 0:
            return CreditStatus.FORFEITED
        return CreditStatus.VOID

    def state(self) -> CreditState | None:
        if not self.has_credit or self.first is None:
            return None
        first, closed, currency = self.first, self.closed, self.currency

        def money(amount: Decimal) -> Money:
            return Money(amount, currency)

        return CreditState(
            agreement_id=first.agreement_id,
            customer_id=first.customer_id,
            objective_id=first.objective_id,
            period_label=first.period_label,
            currency=currency,
            earned=money(sum(self.buckets.values(), Decimal(0))),
            eligible=money(self.buckets["eligible"]),
            claimed=money(self.buckets["claimed"]),
            approved=money(self.buckets["approved"]),
            denied=money(self.buckets["denied"]),
            forfeited=money(self.buckets["forfeited"]),
            settled=money(self.settled),
            status=self.status(),
            claim_deadline=closed.claim_deadline if closed is not None else None,
            claim_minimum=closed.claim_minimum if closed is not None else None,
            version=self.version,
            window_end=closed.window_end if closed is not None else None,
            phase=self.phase,
            settlement_ids=frozenset(self.settlement_ids),
        )


def credit_state(events: Iterable[PeriodEvent]) -> CreditState | None:
    """The state of the credit of one period stream after its events (in log order, already
    filtered to what counts); None when they hold no credit (nothing issued, adjusted or
    capped). Bonuses, breaches and figures are not a credit's and are passed over."""
    fold = _Fold()
    for event in events:
        fold.apply(event)
    return fold.state()


def effective_at(event: PeriodEvent, window_end: datetime) -> datetime:
    """The business instant of an event of a credit's life: the period's window_end for the
    close and every amount event (issued, adjusted, capped); the record time of claims,
    decisions and settlements; the deadline for a forfeiture."""
    if isinstance(event, CreditForfeited):
        return event.deadline
    if isinstance(event, CreditClaimed | ClaimDecided | CreditSettled):
        return event.timestamp
    return window_end


def counts_at(
    event: PeriodEvent, window_end: datetime, as_of: datetime, known_at: datetime
) -> bool:
    """Whether the event counts in a balance at as_of as known at known_at: recorded by known_at
    and effective by as_of."""
    return event.timestamp <= known_at and effective_at(event, window_end) <= as_of
