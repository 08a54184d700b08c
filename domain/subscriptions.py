"""A customer's subscription to a service SLA: its tier and fee over time, from start to end.

One stream per service and customer (agreement:<id>/customer:<customer>), so a customer holds one
subscription to a service; the store's unique (stream, version) makes a second, overlapping one
impossible whatever the races. Rules (docs/semantics.md "Services, tiers and subscriptions"):
- Subscribing names the customer, a tier of the service's terms, the fee and its period, the
  start and an optional planned end (after the start).
- A tier change names the new tier (and fee, or keeps the fee) and the instant it takes effect,
  within the subscription. It governs every period that starts at or after that instant; a
  period in progress keeps the tier and fee it started with, as it keeps its terms.
- Ending names the instant the subscription ends (after its start, not after its planned end);
  the last period is judged on the time it ran, on a pro-rated fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate

from domain.agreement import Agreement
from domain.agreement_checks import reason_violations
from domain.errors import (
    FailedPreconditionError,
    FieldViolation,
    Reason,
    Violations,
)
from domain.identifiers import IDENTIFIER_RULE, is_identifier, subscription_stream
from domain.input_ranges import shown
from domain.terms import MAX_NAME_LENGTH, Fee, Party, is_aware


@dataclass(frozen=True)
class SubscriptionTerms:
    """The tier and fee of a subscription from effective_from on."""

    tier_id: str
    fee: Fee
    effective_from: datetime


class Subscription(BaseAggregate[str]):
    """One customer's subscription to one service SLA."""

    @dataclass(frozen=True)
    class Event(CanMutateAggregate[str]):
        """Base of the subscription's events; timestamp is the record time."""

        originator_id: str
        originator_version: int
        timestamp: datetime

    @dataclass(frozen=True)
    class Subscribed(Event, CanInitAggregate[str]):
        """The customer subscribed to the service on a tier, for a fee, from start."""

        originator_topic: str
        agreement_id: str
        customer: Party
        tier_id: str
        fee: Fee
        start: datetime
        end: datetime | None

    @dataclass(frozen=True)
    class TierChanged(Event):
        """The subscription moves to another tier (or fee) from effective_from on."""

        tier_id: str
        fee: Fee
        effective_from: datetime
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Add the new tier and fee."""
            assert isinstance(aggregate, Subscription)
            aggregate.changes.append(SubscriptionTerms(self.tier_id, self.fee, self.effective_from))

    @dataclass(frozen=True)
    class Ended(Event):
        """The subscription ends at end_at."""

        end_at: datetime
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Record the end."""
            assert isinstance(aggregate, Subscription)
            aggregate.ended_at = self.end_at

    def __init__(
        self,
        agreement_id: str,
        customer: Party,
        tier_id: str,
        fee: Fee,
        start: datetime,
        end: datetime | None,
    ) -> None:
        self.agreement_id = agreement_id
        self.customer = customer
        self.start = start
        self.planned_end = end
        self.changes = [SubscriptionTerms(tier_id, fee, start)]
        self.ended_at: datetime | None = None

    @property
    def customer_id(self) -> str:
        """The subscribing customer's id."""
        return self.customer.party_id

    @property
    def end(self) -> datetime | None:
        """When the subscription ends: its end if it was ended, else its planned end."""
        return self.ended_at if self.ended_at is not None else self.planned_end

    @property
    def current(self) -> SubscriptionTerms:
        """The tier and fee of the last change recorded."""
        return self.changes[-1]

    def terms_at(self, instant: datetime) -> SubscriptionTerms:
        """The tier and fee in force at instant (the first ones before the start)."""
        in_force = [c for c in self.changes if c.effective_from <= instant]
        return in_force[-1] if in_force else self.changes[0]

    def is_active_at(self, instant: datetime) -> bool:
        """Whether instant is within [start, end)."""
        return self.start <= instant and (self.end is None or instant < self.end)

    @classmethod
    def subscribe(
        cls,
        service: Agreement,
        customer: Party,
        tier_id: str,
        fee: Fee,
        start: datetime,
        end: datetime | None,
        recorded_at: datetime,
    ) -> Subscription:
        """A new subscription; InvalidArgumentError naming every rule it breaks, or
        FailedPreconditionError when the agreement is not a service SLA or was terminated."""
        _refuse_unless_open_service(service)
        violations = Violations()
        if not is_identifier(customer.party_id):
            violations.add("customer.party_id", IDENTIFIER_RULE)
        if len(customer.display_name) > MAX_NAME_LENGTH:
            violations.add("customer.display_name", f"at most {MAX_NAME_LENGTH} characters")
        violations.extend(_tier_violations(service, tier_id, "tier_id"))
        violations.extend(_fee_violations(fee))
        if not is_aware(start):
            violations.add("start", "must carry a time zone")
        elif start < service.terms_versions[0].terms.term_start:
            violations.add("start", "must not be before the service's term start")
        elif end is not None and not is_aware(end):
            violations.add("end", "must carry a time zone")
        elif end is not None and end <= start:
            violations.add("end", "must be after start")
        violations.raise_if_any()
        return cls._create(
            cls.Subscribed,
            id=subscription_stream(service.agreement_id, customer.party_id),
            agreement_id=service.agreement_id,
            customer=customer,
            tier_id=tier_id,
            fee=fee,
            start=start,
            end=end,
            timestamp=recorded_at,
        )

    def change_tier(
        self,
        service: Agreement,
        tier_id: str,
        fee: Fee | None,
        effective_from: datetime,
        reason: str,
        recorded_at: datetime,
    ) -> None:
        """Move to tier (and fee; None keeps the fee in force) from effective_from on."""
        _refuse_unless_open_service(service)
        self._refuse_if_ended("changed")
        violations = Violations()
        violations.extend(_tier_violations(service, tier_id, "tier_id"))
        if fee is not None:
            violations.extend(_fee_violations(fee))
        violations.extend(self._within("effective_from", effective_from))
        violations.extend(reason_violations(reason))
        violations.raise_if_any()
        new_fee = fee if fee is not None else self.terms_at(effective_from).fee
        in_force = self.terms_at(effective_from)
        if in_force.tier_id == tier_id and in_force.fee == new_fee:
            violations.add("tier_id", f"the subscription is already on tier {shown(tier_id)}")
            violations.raise_if_any()
        self.trigger_event(
            self.TierChanged,
            tier_id=tier_id,
            fee=new_fee,
            effective_from=effective_from,
            reason=reason,
            timestamp=recorded_at,
        )

    def end_subscription(self, end_at: datetime, reason: str, recorded_at: datetime) -> None:
        """End the subscription at end_at."""
        self._refuse_if_ended("ended")
        violations = Violations()
        violations.extend(self._within("end_at", end_at))
        violations.extend(reason_violations(reason))
        violations.raise_if_any()
        self.trigger_event(self.Ended, end_at=end_at, reason=reason, timestamp=recorded_at)

    def _within(self, field: str, instant: datetime) -> list[FieldViolation]:
        if not is_aware(instant):
            return [FieldViolation(field, "must carry a time zone")]
        if instant <= self.start:
            return [FieldViolation(field, "must be after the subscription's start")]
        if self.planned_end is not None and instant > self.planned_end:
            return [FieldViolation(field, "must not be after the subscription's planned end")]
        return []

    def _refuse_if_ended(self, verb: str) -> None:
        if self.ended_at is not None:
            raise FailedPreconditionError(
                f"the subscription of {self.customer_id} to {self.agreement_id} ended "
                f"({self.ended_at.isoformat()}) and cannot be {verb}",
                reason=Reason.SUBSCRIPTION_ENDED,
            )


def replay_subscription(events: list[Subscription.Event]) -> Subscription | None:
    """The subscription built from its events in order, or None when there are none."""
    aggregate: Subscription | None = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _refuse_unless_open_service(service: Agreement) -> None:
    if not service.current_terms.terms.is_service_sla:
        raise FailedPreconditionError(
            f"agreement {service.agreement_id} is not a service SLA (it has no tiers): "
            "only a service SLA takes subscriptions"
        )
    if service.termination is not None:
        raise FailedPreconditionError(
            f"service SLA {service.agreement_id} was terminated "
            f"(effective {service.termination.effective_at.isoformat()})",
            reason=Reason.AGREEMENT_TERMINATED,
        )


def _tier_violations(service: Agreement, tier_id: str, field: str) -> list[FieldViolation]:
    if service.current_terms.terms.tier(tier_id) is None:
        tiers = ", ".join(t.tier_id for t in service.current_terms.terms.tiers)
        return [
            FieldViolation(field, f"the service has no tier {shown(tier_id)} (its tiers: {tiers})")
        ]
    return []


def _fee_violations(fee: Fee) -> list[FieldViolation]:
    return [FieldViolation(f"fee.amount.{path}", text) for path, text in fee.amount.problems()]
