"""Subscriptions to a service SLA: their message and the payloads of their events."""

from __future__ import annotations

from datetime import datetime

from domain.subscriptions import Subscription, SubscriptionTerms
from domain.terms import Party
from projections.subscription_views import SubscriptionRow
from service.api.mapping.scalars import instant_to_proto
from service.api.mapping.terms import fee_to_proto, party_to_proto
from service.generated.sla.ledger.v1 import events_pb2, subscriptions_pb2

SubscriptionEvent = Subscription.Subscribed | Subscription.TierChanged | Subscription.Ended


def subscription_status(
    start: datetime, end: datetime | None, as_of: datetime
) -> subscriptions_pb2.SubscriptionStatus:
    """Pending, active or ended at as_of, for a subscription from start to end, as its enum
    number."""
    if as_of < start:
        return subscriptions_pb2.SUBSCRIPTION_STATUS_PENDING
    if end is None or as_of < end:
        return subscriptions_pb2.SUBSCRIPTION_STATUS_ACTIVE
    return subscriptions_pb2.SUBSCRIPTION_STATUS_ENDED


def terms_to_proto(terms: SubscriptionTerms) -> subscriptions_pb2.SubscriptionTerms:
    """The message of a subscription's tier and fee from an instant on."""
    return subscriptions_pb2.SubscriptionTerms(
        tier_id=terms.tier_id,
        fee=fee_to_proto(terms.fee),
        effective_from=instant_to_proto(terms.effective_from),
    )


def subscription_to_proto(
    subscription: Subscription | SubscriptionRow, as_of: datetime
) -> subscriptions_pb2.Subscription:
    """The Subscription message of a subscription (as recorded, or as the read model holds it)
    at as_of: its tier, fee and status then."""
    in_force = subscription.terms_at(as_of)
    if isinstance(subscription, Subscription):
        customer = subscription.customer
    else:
        customer = Party(subscription.customer_id, subscription.customer_name)
    message = subscriptions_pb2.Subscription(
        agreement_id=subscription.agreement_id,
        customer=party_to_proto(customer),
        tier_id=in_force.tier_id,
        fee=fee_to_proto(in_force.fee),
        start=instant_to_proto(subscription.start),
        ended=subscription.ended_at is not None,
        status=subscription_status(subscription.start, subscription.end, as_of),
        changes=[terms_to_proto(change) for change in subscription.changes],
        version=subscription.version,
    )
    if subscription.end is not None:
        message.end.CopyFrom(instant_to_proto(subscription.end))
    return message


def subscription_event_into_proto(
    event: SubscriptionEvent, message: events_pb2.LedgerEvent
) -> None:
    """Write a subscription event into the payload of a LedgerEvent."""
    if isinstance(event, Subscription.Subscribed):
        subscribed = message.customer_subscribed
        subscribed.customer.CopyFrom(party_to_proto(event.customer))
        subscribed.tier_id = event.tier_id
        subscribed.fee.CopyFrom(fee_to_proto(event.fee))
        subscribed.start.CopyFrom(instant_to_proto(event.start))
        if event.end is not None:
            subscribed.end.CopyFrom(instant_to_proto(event.end))
    elif isinstance(event, Subscription.TierChanged):
        changed = message.subscription_tier_changed
        changed.customer_id = _customer_of(event.originator_id)
        changed.terms.CopyFrom(
            terms_to_proto(SubscriptionTerms(event.tier_id, event.fee, event.effective_from))
        )
        changed.reason = event.reason
    else:
        ended = message.subscription_ended
        ended.customer_id = _customer_of(event.originator_id)
        ended.end_at.CopyFrom(instant_to_proto(event.end_at))
        ended.reason = event.reason


def _customer_of(stream_id: str) -> str:
    """The customer of a subscription stream (agreement:<id>/customer:<customer>)."""
    return stream_id.rsplit("/customer:", 1)[-1]
