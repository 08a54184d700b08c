"""Applying the cap across objectives to one fee period: which credits count toward it, what its
cap is, and the CreditCapped entries that bring each credit's reduction to its share.

- A credit counts toward the fee period (the fee unit of the terms that closed it, in their
  time zone) that holds its window's start; only credits in the cap's currency count.
- The cap of a fee period comes from the terms governing the fee period (those in force at its
  start, domain/agreement_history.py governing_terms; for a service SLA, the subscriber's own
  view with its own fee): percent_of_fee x the fee of the part of the fee period the agreement
  was in force (the full fee for a whole period), or the amount; rounded once to the minor unit.
  Terms without credit_cap cap nothing.
- capping_events compares each credit's reduction with its share (domain/credit_cap_allocation.py)
  and returns a CreditCapped, at the head of the credit's stream, for each that changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from domain.agreement import Agreement
from domain.agreement_history import evaluation_window, governing_terms
from domain.credit_cap_allocation import CapCredit, allocate
from domain.credit_caps import CreditCapped
from domain.credits import prorated
from domain.identifiers import period_stream
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent
from domain.periods import Period, period_containing, periods_between
from domain.terms import AgreementTerms, PeriodUnit


def has_credit_cap(agreement: Agreement) -> bool:
    """Whether any terms version of the agreement caps credits across objectives (without one,
    applying the cap reads and appends nothing)."""
    return any(v.terms.credit_cap is not None for v in agreement.terms_versions)


def fee_period_of(terms: AgreementTerms, window_start: datetime) -> Period:
    """The fee period a credit whose window starts at window_start counts toward."""
    return _period_containing(window_start, terms.fee.period, terms.time_zone)


# A service close asks the same calendar questions for every subscriber: answer each once.
@lru_cache(maxsize=4096)
def _period_containing(instant: datetime, unit: PeriodUnit, time_zone: str) -> Period:
    return period_containing(instant, unit, time_zone)


@lru_cache(maxsize=4096)
def _labels_overlapping(
    start: datetime, end: datetime, unit: PeriodUnit, time_zone: str
) -> tuple[str, ...]:
    return tuple(p.label for p in periods_between(start, end, unit, time_zone))


def credit_fee_period(agreement: Agreement, closed: PeriodClosed) -> Period | None:
    """The fee period of the credit of a closed period, in the terms that closed it; None when
    the agreement has no such terms version."""
    version = next(
        (
            v
            for v in agreement.terms_versions
            if v.number == closed.terms_version and v.tier_id == closed.tier_id
        ),
        None,
    )
    if version is None:
        return None
    return fee_period_of(version.terms, closed.window_start)


@dataclass(frozen=True)
class FeePeriodCap:
    """The cap of one fee period and how it was reached, in words."""

    cap: Money
    line: str


def fee_period_cap(agreement: Agreement, fee_period: Period) -> FeePeriodCap | None:
    """The cap of a fee period (see the module's docstring); None without one."""
    version = governing_terms(agreement, fee_period)
    if version is None or version.terms.credit_cap is None:
        return None
    cap = version.terms.credit_cap
    if cap.amount is not None:
        amount = cap.cap_for(version.terms.fee.amount)
        return FeePeriodCap(amount, f"cap {_text(amount)} a fee period")
    fee = version.terms.fee.amount
    window = evaluation_window(agreement, version, fee_period)
    if window is not None and window != (fee_period.start, fee_period.end):
        fee = prorated(fee, window[1] - window[0], fee_period.duration)
    amount = cap.cap_for(fee)
    return FeePeriodCap(
        amount, f"cap {_text(amount)} = {cap.percent_of_fee}% of fee {_text(fee.rounded())}"
    )


def fee_period_streams(agreement: Agreement, customer_id: str, fee_period: Period) -> list[str]:
    """The period streams that may hold a credit counting toward the fee period: those of every
    objective's periods (in each terms version's calendar) that overlap it."""
    streams: dict[str, None] = {}
    for version in agreement.terms_versions:
        zone = version.terms.time_zone
        for objective in version.terms.judged_objectives():
            labels = _labels_overlapping(fee_period.start, fee_period.end, objective.period, zone)
            for label in labels:
                stream = period_stream(
                    agreement.agreement_id, objective.objective_id, label, customer_id
                )
                streams[stream] = None
    return list(streams)


@dataclass
class _Standing:
    closed: PeriodClosed
    version: int
    amount: Money | None = None
    reduction: Money | None = None


def capping_events(
    agreement: Agreement,
    customer_id: str,
    fee_period: Period,
    events: Iterable[PeriodEvent],
    recorded_at: datetime,
) -> list[CreditCapped]:
    """The CreditCapped entries that bring the reductions of the fee period's credits to their
    shares of its cap; events are every event (stored and about to be appended, each stream's in
    order) of the streams that may hold them (fee_period_streams)."""
    found = fee_period_cap(agreement, fee_period)
    if found is None:
        return []
    cap = found.cap
    standings: dict[str, _Standing] = {}
    for event in events:
        if isinstance(event, PeriodClosed):
            standings[event.originator_id] = _Standing(event, event.originator_version)
            continue
        standing = standings.get(event.originator_id)
        if standing is None:
            continue
        standing.version = event.originator_version
        if isinstance(event, CreditIssued):
            standing.amount = event.amount
        elif isinstance(event, CreditAdjusted):
            standing.amount = event.after
        elif isinstance(event, CreditCapped):
            standing.reduction = event.reduction_after
    zero = Money(Decimal(0), cap.currency).rounded()
    credits = {
        stream: CapCredit(
            s.closed.objective_id,
            s.closed.period_label,
            s.closed.window_start,
            s.amount,
            s.reduction or zero,
            s.version,
        )
        for stream, s in standings.items()
        if s.amount is not None
        and s.amount.currency == cap.currency
        and fee_period.start <= s.closed.window_start < fee_period.end
    }
    shares = allocate(cap, list(credits.values()))
    before_cap = Money(sum((c.amount.amount for c in credits.values()), Decimal(0)), cap.currency)
    capped: list[CreditCapped] = []
    for stream, credit in sorted(credits.items(), key=lambda item: item[1].key):
        share = shares[credit.key]
        if share.reduction.amount == credit.reduction.amount:
            continue
        capped.append(
            CreditCapped(
                originator_id=stream,
                originator_version=credit.version + 1,
                timestamp=recorded_at,
                agreement_id=agreement.agreement_id,
                objective_id=credit.objective_id,
                period_label=credit.period_label,
                customer_id=customer_id,
                fee_period_label=fee_period.label,
                cap=cap,
                credits_before_cap=before_cap,
                reduction_before=credit.reduction,
                reduction_after=share.reduction,
                delta=Money(credit.reduction.amount - share.reduction.amount, cap.currency),
                allocation_line=(
                    f"fee period {fee_period.label}: {found.line}, credits before the cap "
                    f"{_text(before_cap)}; this credit {share.reason}: keeps "
                    f"{_text(share.kept)} of {_text(credit.amount)}"
                ),
            )
        )
    return capped


def _text(money: Money) -> str:
    return f"{money.currency} {money.amount}"


@dataclass(frozen=True)
class FeePeriodGroup:
    """A fee period whose credits a change touches: whose (customer_id, "" for an agreement's
    own), the agreement view that judges them, and the streams that may hold them."""

    customer_id: str
    view: Agreement
    period: Period
    streams: tuple[str, ...]


def touched_fee_periods(
    events: Sequence[PeriodEvent],
    view_of: Callable[[str], Agreement | None],
    closes: Mapping[str, PeriodClosed] | None = None,
) -> list[FeePeriodGroup]:
    """The fee periods whose caps the credit changes (CreditIssued, CreditAdjusted) among events
    touch, each once. view_of gives the agreement (a subscriber's view, for a service SLA) that
    judges a customer's periods ("" for an agreement's own); closes holds the PeriodClosed of
    streams that events change without closing them (a recalculation's)."""
    closed = dict(closes or {})
    closed.update((e.originator_id, e) for e in events if isinstance(e, PeriodClosed))
    groups: dict[tuple[str, str], FeePeriodGroup] = {}
    for event in events:
        if not isinstance(event, CreditIssued | CreditAdjusted):
            continue
        view = view_of(event.customer_id)
        closing = closed.get(event.originator_id)
        if view is None or closing is None or not has_credit_cap(view):
            continue
        period = credit_fee_period(view, closing)
        key = (event.customer_id, period.label if period is not None else "")
        if period is not None and key not in groups:
            streams = tuple(fee_period_streams(view, event.customer_id, period))
            groups[key] = FeePeriodGroup(event.customer_id, view, period, streams)
    return list(groups.values())


def cap_entries(
    groups: Sequence[FeePeriodGroup],
    stored: Mapping[str, Sequence[PeriodEvent]],
    events: Sequence[PeriodEvent],
    recorded_at: datetime,
) -> list[CreditCapped]:
    """The CreditCapped entries of the touched fee periods: stored holds the recorded events of
    their streams (each stream's in order), events those about to be appended before them."""
    new: dict[str, list[PeriodEvent]] = {}
    for event in events:
        new.setdefault(event.originator_id, []).append(event)
    capped: list[CreditCapped] = []
    for group in groups:
        own = [
            e for stream in group.streams for e in (*stored.get(stream, ()), *new.get(stream, ()))
        ]
        capped.extend(capping_events(group.view, group.customer_id, group.period, own, recorded_at))
    return capped
