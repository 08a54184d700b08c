"""The agreement directory: what an agreement looks like at as_of, the filters of a listing, and
the replay oracle that the directory read model (projections/agreement_directory.py) must equal.

An agreement is listed at as_of only once it was signed (as_of at or after signed_at), as
GetAgreement answers NOT_FOUND before; between its signing and its term start it shows its
first terms, active. A service SLA binds a customer only while the customer's subscription is
active at as_of ([start, end), the end as known at known_at).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.agreement import Agreement
from domain.known_at import agreement_known_at, known_by
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import AgreementKind, Party


@dataclass(frozen=True)
class AgreementSummary:
    """One agreement as it stood at as_of, as known at known_at."""

    agreement_id: str
    kind: AgreementKind
    provider: Party
    customer: Party | None  # None for a service SLA: its customers subscribe
    services: tuple[str, ...]
    terminated: bool  # whether the termination had taken effect at as_of
    terms_version: int
    term_start: datetime
    term_end: datetime | None
    terminated_at: datetime | None  # a termination known at known_at, whenever it takes effect
    objective_ids: tuple[str, ...]
    tier_ids: tuple[str, ...]
    signed_recorded_at: datetime


@dataclass(frozen=True)
class DirectoryFilter:
    """What a listing keeps: every field given must match ('' or None: any)."""

    customer_id: str = ""
    provider_id: str = ""
    service: str = ""
    kind: AgreementKind | None = None
    terminated: bool | None = None  # True: terminated at as_of; False: active; None: either


def summary_at(agreement: Agreement, as_of: datetime) -> AgreementSummary | None:
    """The agreement's summary at as_of (agreement replayed as known at some instant); None
    before it was signed."""
    if as_of < agreement.signed_at:
        return None
    standing = agreement.standing_at(as_of)
    terms = standing.terms.terms
    return AgreementSummary(
        agreement_id=agreement.agreement_id,
        kind=terms.kind,
        provider=terms.provider,
        customer=None if terms.is_service_sla else terms.customer,
        services=tuple(terms.services),
        terminated=standing.is_terminated,
        terms_version=standing.terms.number,
        term_start=terms.term_start,
        term_end=terms.term_end,
        terminated_at=None if agreement.termination is None else agreement.termination.effective_at,
        objective_ids=tuple(dict.fromkeys(o.objective_id for o in terms.judged_objectives())),
        tier_ids=tuple(t.tier_id for t in terms.tiers),
        signed_recorded_at=agreement.created_on,
    )


def matches(summary: AgreementSummary, where: DirectoryFilter, subscribers: frozenset[str]) -> bool:
    """Whether a summary passes the filter; subscribers: the customers subscribed at as_of."""
    if where.customer_id:
        own = summary.customer is not None and summary.customer.party_id == where.customer_id
        if not own and where.customer_id not in subscribers:
            return False
    if where.provider_id and summary.provider.party_id != where.provider_id:
        return False
    if where.service and where.service not in summary.services:
        return False
    if where.kind is not None and summary.kind is not where.kind:
        return False
    return where.terminated is None or summary.terminated is where.terminated


def directory_oracle(
    agreement_streams: Iterable[Sequence[Agreement.Event]],
    subscription_streams: Iterable[Sequence[Subscription.Event]],
    where: DirectoryFilter,
    as_of: datetime,
    known_at: datetime,
) -> list[AgreementSummary]:
    """Every agreement matching the filter at as_of, as known at known_at, in id order: each
    stream replayed from its events recorded by known_at (slow and obviously right)."""
    subscribers: dict[str, set[str]] = {}
    for events in subscription_streams:
        subscription = replay_subscription(list(known_by(events, known_at)))
        if subscription is not None and subscription.is_active_at(as_of):
            subscribers.setdefault(subscription.agreement_id, set()).add(subscription.customer_id)
    found = []
    for stream in agreement_streams:
        agreement = agreement_known_at(stream, known_at)
        summary = None if agreement is None else summary_at(agreement, as_of)
        if summary is not None and matches(
            summary, where, frozenset(subscribers.get(summary.agreement_id, ()))
        ):
            found.append(summary)
    return sorted(found, key=lambda s: s.agreement_id)
