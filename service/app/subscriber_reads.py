"""Reading a service SLA's subscriptions from the log: every subscriber's, or one customer's.

Each subscription has its own stream, agreement:<id>/customer:<customer>, and its subscriber's
period results lie in streams nested below it (…/customer:<customer>/objective:…). The
subscription streams are found in the store's stream-name index by a skip scan that steps over
the nested streams (service/store/log_reads.py subscription_streams), so finding 10,000
subscribers costs the same whatever their period results hold; their events are then read in
one batch of stream reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from domain.identifiers import is_identifier, subscription_stream
from domain.subscriptions import Subscription, replay_subscription
from service.app.event_log import EventLog


@dataclass(frozen=True)
class LoggedSubscription:
    """A subscription folded from its stream, and (log position, event) of each of its events."""

    subscription: Subscription
    events: list[tuple[int, Subscription.Event]]

    @property
    def first_position(self) -> int:
        """The log position of its Subscribed event."""
        return self.events[0][0]


def logged_subscriptions(log: EventLog, agreement_id: str) -> list[LoggedSubscription]:
    """Every customer's subscription to the service, with its logged events, in customer-id
    order (stream-name order); none for an unknown agreement or one without subscribers."""
    if not is_identifier(agreement_id):
        return []
    return _fold(log, log.subscription_streams(agreement_id))


def subscriptions_of(log: EventLog, agreement_id: str) -> list[Subscription]:
    """Every customer's subscription to the service (from the streams named
    agreement:<id>/customer:<customer>), in customer-id order."""
    return [logged.subscription for logged in logged_subscriptions(log, agreement_id)]


def subscription_events(
    log: EventLog, agreement_id: str, customer_id: str
) -> list[Subscription.Event]:
    """The events of one customer's subscription to the service, in order (none when the
    customer never subscribed)."""
    if not (is_identifier(agreement_id) and is_identifier(customer_id)):
        return []
    stream = subscription_stream(agreement_id, customer_id)
    return [cast(Subscription.Event, log.decode(n)) for n in log.stream_notifications([stream])]


def _fold(log: EventLog, streams: Sequence[str]) -> list[LoggedSubscription]:
    by_stream: dict[str, list[tuple[int, Subscription.Event]]] = {s: [] for s in streams}
    if streams:
        for notification in log.stream_notifications(streams):
            event = log.decode(notification)
            if isinstance(event, Subscription.Event):
                by_stream[str(notification.originator_id)].append((notification.id, event))
    found = []
    for stream in streams:
        logged = by_stream[stream]
        subscription = replay_subscription([event for _, event in logged])
        if subscription is not None:
            found.append(LoggedSubscription(subscription, logged))
    return found
