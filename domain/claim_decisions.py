"""The claim lifecycle's decisions: from a credit's period stream and a command, the one event it
appends, or the refusal (docs/semantics.md "Claims and deadlines", "Decisions", "Forfeiture",
"Settlement").

Each takes every event of the credit's stream (in order) and the record time; the event it
returns is numbered after the stream's head, so two racing commands cannot both append.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from domain.claims import (
    SETTLEMENT_METHODS,
    ClaimDecided,
    CreditClaimed,
    CreditForfeited,
    CreditSettled,
)
from domain.credit_lifecycle import CreditState, credit_state
from domain.errors import AlreadyExistsError, FailedPreconditionError, NotFoundError
from domain.money import Money
from domain.period_results import PeriodEvent

E = TypeVar("E", bound=PeriodEvent)


@dataclass(frozen=True)
class SettlementOrder:
    """One settlement finance asks for."""

    settlement_id: str
    method: str  # one of SETTLEMENT_METHODS
    invoice_reference: str
    invoice_date: str  # YYYY-MM-DD or ""
    amount: Money


@dataclass(frozen=True)
class CreditName:
    """A credit as refusals name it: in words, and by its relative name (ResourceInfo)."""

    words: str
    resource_name: str

    def __str__(self) -> str:
        return self.words


def current_credit(stream: Sequence[PeriodEvent], name: CreditName) -> CreditState:
    """The credit of a period stream; NotFoundError when the period was never closed,
    FailedPreconditionError when it has no credit. name says which credit, for the refusal."""
    if not stream:
        raise NotFoundError(
            f"{name} is not closed: it has no credit yet",
            resource_type="credit",
            resource_name=name.resource_name,
        )
    state = credit_state(stream)
    if state is None:
        raise FailedPreconditionError(f"{name} has no credit")
    return state


def claim(
    stream: Sequence[PeriodEvent],
    claim_reference: str,
    evidence: str,
    recorded_at: datetime,
    name: CreditName,
) -> CreditClaimed:
    """The claim of a credit's whole eligible amount; FAILED_PRECONDITION when the credit need
    not be claimed, its deadline has passed, nothing is eligible, or less than the minimum."""
    state = current_credit(stream, name)
    deadline = state.claim_deadline
    if deadline is None:
        raise FailedPreconditionError(
            f"{name} need not be claimed: the terms have no claim rule, it was approved when issued"
        )
    recorded_at = max(recorded_at, stream[-1].timestamp)  # as the claim would be recorded
    if recorded_at >= deadline:
        raise FailedPreconditionError(
            f"the claim deadline of {name} passed at {deadline.isoformat()}; it can no longer "
            "be claimed"
        )
    if state.eligible.amount <= 0:
        raise FailedPreconditionError(
            f"nothing of {name} is eligible to claim (it is {state.status.value})"
        )
    minimum = state.claim_minimum
    if minimum is not None and state.eligible.amount < minimum.amount:
        raise FailedPreconditionError(
            f"{name} has {_shown(state.eligible)} eligible, below the claim minimum "
            f"{_shown(minimum)}"
        )
    return _next(
        CreditClaimed,
        stream,
        recorded_at,
        claim_reference=claim_reference,
        evidence=evidence,
        amount=state.eligible,
    )


def decide(
    stream: Sequence[PeriodEvent],
    approved: Money | None,
    reason: str,
    recorded_at: datetime,
    name: CreditName,
    *,
    dispute_id: str = "",
) -> ClaimDecided:
    """The provider's decision on the open claim: approved (at most the amount claimed; None:
    all of it), the rest denied, which needs a reason. With a dispute_id, a dispute upheld about
    a denied claim: approved (None: everything denied) is taken from what was denied."""
    state = current_credit(stream, name)
    if state.claim_deadline is None:
        raise FailedPreconditionError(f"{name} need not be claimed: there is no claim to decide")
    open_amount = state.denied if dispute_id else state.claimed
    if open_amount.amount <= 0:
        what = "nothing of it was denied" if dispute_id else "it has no open claim"
        raise FailedPreconditionError(f"{name} has nothing to decide: {what}")
    granted = open_amount if approved is None else approved
    if granted.currency != state.currency:
        raise FailedPreconditionError(f"{name} is in {state.currency}, not {granted.currency}")
    if granted.amount > open_amount.amount:
        limit = "was denied" if dispute_id else "is claimed"
        raise FailedPreconditionError(
            f"{_shown(granted)} is more than the {_shown(open_amount)} of {name} that {limit}"
        )
    rest = Money(open_amount.amount - granted.amount, state.currency)
    if rest.amount > 0 and not dispute_id and not reason.strip():
        raise FailedPreconditionError(
            f"denying {_shown(rest)} of {name} needs a reason: say why in reason"
        )
    return _next(
        ClaimDecided,
        stream,
        recorded_at,
        approved=granted,
        denied=rest,
        reason=reason,
        dispute_id=dispute_id,
    )


def settle(
    stream: Sequence[PeriodEvent],
    orders: Sequence[SettlementOrder],
    recorded_at: datetime,
    name: CreditName,
) -> list[CreditSettled]:
    """The settlements of one credit, in order: each in its currency, never more than approved
    and not settled yet, a settlement id once per credit (ALREADY_EXISTS)."""
    state = current_credit(stream, name)
    outstanding = state.outstanding.amount
    seen = set(state.settlement_ids)
    events: list[CreditSettled] = []
    for order in orders:
        if order.method not in SETTLEMENT_METHODS:
            raise ValueError(f"not a settlement method: {order.method!r}")
        if order.settlement_id in seen:
            raise AlreadyExistsError(
                f"settlement {order.settlement_id!r} of {name} is recorded already"
            )
        seen.add(order.settlement_id)
        if order.amount.currency != state.currency:
            raise FailedPreconditionError(
                f"{name} is in {state.currency}, not {order.amount.currency}"
            )
        if order.amount.amount > outstanding:
            raise FailedPreconditionError(
                f"settling {_shown(order.amount)} of {name} would exceed what is approved and "
                f"not settled: {_shown(Money(max(outstanding, Decimal(0)), state.currency))}"
            )
        outstanding -= order.amount.amount
        events.append(
            _next(
                CreditSettled,
                [*stream, *events],
                recorded_at,
                settlement_id=order.settlement_id,
                method=order.method,
                invoice_reference=order.invoice_reference,
                invoice_date=order.invoice_date,
                amount=order.amount,
            )
        )
    return events


def forfeit(stream: Sequence[PeriodEvent], now: datetime) -> CreditForfeited | None:
    """The forfeiture of what is still eligible once the claim deadline has passed; None when
    the credit need not be claimed, the deadline is still ahead, or nothing is eligible."""
    state = credit_state(stream)
    if state is None or state.claim_deadline is None:
        return None
    if now < state.claim_deadline or state.eligible.amount <= 0:
        return None
    return _next(CreditForfeited, stream, now, amount=state.eligible, deadline=state.claim_deadline)


def _next(cls: type[E], stream: Sequence[PeriodEvent], recorded_at: datetime, **fields: Any) -> E:
    head = stream[-1]
    extra = {"customer_id": head.customer_id} if head.customer_id else {}
    return cls(
        originator_id=head.originator_id,
        originator_version=head.originator_version + 1,
        timestamp=max(recorded_at, head.timestamp),
        agreement_id=head.agreement_id,
        objective_id=head.objective_id,
        period_label=head.period_label,
        **extra,
        **fields,
    )


def _shown(money: Money) -> str:
    return f"{money.currency} {money.amount}"
