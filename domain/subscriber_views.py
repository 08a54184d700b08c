"""A subscriber's view of a service SLA, and a tier's shared view: agreements derived, never stored.

A subscriber is judged exactly as a customer-based agreement would be whose terms are the
service's, cut to the subscriber's tier and fee and to its subscription (docs/semantics.md
"Services, tiers and subscriptions"). The view is that agreement, built in memory from the
service's events and the subscription's, so every rule of periods, windows, credits, termination
rights, late data and recalculation applies to a subscriber unchanged:

- Its terms versions pair each service terms version s with each tier-and-fee state u of the
  subscription, in the order (s, u): version (s, u) takes effect at the later of the two
  instants. The version in force at an instant, or governing a period, is the last that
  qualifies, so it pairs the service terms that govern the period with the subscription state
  in force at its start: a started period keeps its tier and fee, as it keeps its terms. It is
  retroactive when s is and u was in force by s's effective instant (a retroactive amendment
  re-judges a period with the tier held when it took effect).
- Its term starts at the later of the service's term start and the subscription's start, and
  ends at the earlier of their ends; the subscription's end, or the service's termination,
  whichever is earlier, terminates it. A partial period is judged on the time it ran, on the fee
  pro-rated to it.
- Its exclusions are those that count for it (domain/exclusion_standing.py visible_exclusions):
  the service's own (customer_id "") and the subscriber's, a late one once the subscriber
  acknowledged it; its readings are
  the service's (no "customer" label) and those labelled with the subscriber's customer id.
The tier's shared view is the same without a subscriber: the tier's objectives on the service's
readings and exclusions, for the compliance every subscriber of the tier shares.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.agreement import Agreement, Termination, TermsVersion
from domain.agreement_history import AgreementHistory
from domain.exclusion_standing import visible_exclusions
from domain.exclusions import Exclusion
from domain.measurements import Measurement
from domain.subscriptions import Subscription
from domain.terms import AgreementTerms, Fee, Party

CUSTOMER_LABEL = "customer"


def tier_terms(
    terms: AgreementTerms,
    tier_id: str,
    customer: Party,
    fee: Fee,
    term_start: datetime,
    term_end: datetime | None,
) -> AgreementTerms:
    """The terms of one tier of a service SLA for one customer: the tier's objectives and credit
    policy (else the service's), no objectives where these terms have no such tier."""
    tier = terms.tier(tier_id)
    return AgreementTerms(
        provider=terms.provider,
        customer=customer,
        kind=terms.kind,
        services=terms.services,
        time_zone=terms.time_zone,
        fee=fee,
        term_start=term_start,
        term_end=term_end,
        objectives=tier.objectives if tier is not None else (),
        credit_policy=(tier.credit_policy if tier is not None else None) or terms.credit_policy,
        claim_rule=terms.claim_rule,
        credit_cap=terms.credit_cap,
    )


def subscriber_agreement(service: Agreement, subscription: Subscription) -> Agreement:
    """The subscriber's view of the service SLA (see the module's docstring)."""
    first = service.terms_versions[0].terms
    start = max(first.term_start, subscription.start)
    customer = subscription.customer
    versions = []
    for version in service.terms_versions:
        term_end = _earlier(version.terms.term_end, subscription.planned_end)
        for state in subscription.changes:
            versions.append(
                TermsVersion(
                    number=version.number,
                    terms=tier_terms(
                        version.terms, state.tier_id, customer, state.fee, start, term_end
                    ),
                    effective_from=max(version.effective_from, state.effective_from),
                    retroactive=version.retroactive
                    and state.effective_from <= version.effective_from,
                    tier_id=state.tier_id,
                )
            )
    termination = _first_termination(service.termination, subscription)
    exclusions = visible_exclusions(service.recorded_exclusions, customer.party_id)
    return _derived(service, versions, termination, exclusions)


def tier_agreement(service: Agreement, tier_id: str) -> Agreement:
    """The tier's shared view: its objectives on the service's own readings and exclusions,
    over the service's term, on the service's list fee."""
    nobody = Party("")
    versions = [
        replace(
            version,
            terms=tier_terms(
                version.terms,
                tier_id,
                nobody,
                version.terms.fee,
                version.terms.term_start,
                version.terms.term_end,
            ),
            tier_id=tier_id,
        )
        for version in service.terms_versions
    ]
    return _derived(
        service,
        versions,
        service.termination,
        visible_exclusions(service.recorded_exclusions, ""),
    )


def subscriber_history(history: AgreementHistory, subscription: Subscription) -> AgreementHistory:
    """The subscriber's view of a service SLA's history; history.periods must hold only the
    subscriber's own periods (those of its period streams)."""
    customer_id = subscription.customer_id
    return AgreementHistory(
        subscriber_agreement(history.agreement, subscription),
        exclusions=visible_exclusions(history.agreement.recorded_exclusions, customer_id),
        readings={
            objective_id: visible_readings(readings, customer_id)
            for objective_id, readings in history.readings.items()
        },
        periods=history.periods,
        customer_id=customer_id,
    )


def tier_history(history: AgreementHistory, tier_id: str) -> AgreementHistory:
    """The tier's shared view of a service SLA's history (no periods are closed for it)."""
    return AgreementHistory(
        tier_agreement(history.agreement, tier_id),
        exclusions=visible_exclusions(history.agreement.recorded_exclusions, ""),
        readings={
            objective_id: visible_readings(readings, "")
            for objective_id, readings in history.readings.items()
        },
    )


def visible_readings(readings: list[Measurement], customer_id: str) -> list[Measurement]:
    """The readings a subscriber's view counts: the service's (no customer label) and those
    labelled with its customer id ("" for the service's only); readings itself when none of
    them carries a customer label."""
    if not any(r.labels and CUSTOMER_LABEL in r.labels for r in readings):
        return readings
    return [r for r in readings if reading_customer(r) in ("", customer_id)]


def reading_customer(reading: Measurement) -> str:
    """The customer a reading concerns alone, or "" for a reading of the whole service."""
    return reading.labels.get(CUSTOMER_LABEL, "") if reading.labels else ""


def _derived(
    service: Agreement,
    versions: list[TermsVersion],
    termination: Termination | None,
    exclusions: list[Exclusion],
) -> Agreement:
    """An Agreement with the service's identity, version and record times, and these terms."""
    view = object.__new__(Agreement)
    view.__base_init__(service.id, service.version, service.created_on)
    view.modified_on = service.modified_on
    view.agreement_id = service.agreement_id
    view.signed_at = service.signed_at
    view.terms_versions = versions
    view.termination = termination
    view.exclusions = exclusions
    view.recorded_exclusions = service.recorded_exclusions
    view.amended_on = service.amended_on
    return view


def _first_termination(
    service_end: Termination | None, subscription: Subscription
) -> Termination | None:
    """The service's termination or the subscription's end, whichever comes first."""
    ended = subscription.ended_at
    if ended is None:
        return service_end
    if service_end is not None and service_end.effective_at <= ended:
        return service_end
    return Termination(ended, "subscription ended")


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None:
        return second
    if second is None:
        return first
    return min(first, second)
