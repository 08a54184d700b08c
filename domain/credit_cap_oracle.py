"""The replay oracle of the cap across objectives: what the cap takes from each credit, computed
from scratch from the period events of an agreement (or of one subscriber of a service SLA),
beside what the CreditCapped entries of the log say it takes. The entries appended along every
close and recalculation must always add up to the allocation of the credits as they stand.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from domain.agreement import Agreement
from domain.credit_cap_allocation import CapCredit, allocate
from domain.credit_cap_periods import credit_fee_period, fee_period_cap
from domain.credit_caps import CreditCapped
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent
from domain.periods import Period

StreamReductions = dict[str, Money]


def recorded_reductions(events: Iterable[PeriodEvent]) -> StreamReductions:
    """What the log's CreditCapped entries take from each credit, by its period stream (credits
    never capped are left out)."""
    found: StreamReductions = {}
    for event in events:
        if isinstance(event, CreditCapped):
            found[event.originator_id] = event.reduction_after
    return {stream: money for stream, money in found.items() if money.amount}


def replayed_reductions(view: Agreement, events: Iterable[PeriodEvent]) -> StreamReductions:
    """What the cap takes from each credit of view's period events (in log order), allocated
    afresh per fee period from the credits as they stand (credits it takes nothing from are left
    out)."""
    closes: dict[str, PeriodClosed] = {}
    amounts: dict[str, Money] = {}
    for event in events:
        if isinstance(event, PeriodClosed):
            closes[event.originator_id] = event
        elif isinstance(event, CreditIssued):
            amounts[event.originator_id] = event.amount
        elif isinstance(event, CreditAdjusted):
            amounts[event.originator_id] = event.after
    by_period: dict[str, tuple[Period, list[tuple[str, PeriodClosed]]]] = {}
    for stream in amounts:
        closed = closes[stream]
        period = credit_fee_period(view, closed)
        if period is not None:
            by_period.setdefault(period.label, (period, []))[1].append((stream, closed))
    found: StreamReductions = {}
    for period, members in by_period.values():
        cap = fee_period_cap(view, period)
        if cap is None:
            continue
        zero = Money(Decimal(0), cap.cap.currency)
        credits = {
            stream: CapCredit(
                closed.objective_id,
                closed.period_label,
                closed.window_start,
                amounts[stream],
                zero,
                0,
            )
            for stream, closed in members
            if amounts[stream].currency == cap.cap.currency
        }
        shares = allocate(cap.cap, list(credits.values()))
        for stream, credit in credits.items():
            reduction = shares[credit.key].reduction
            if reduction.amount:
                found[stream] = reduction
    return found
