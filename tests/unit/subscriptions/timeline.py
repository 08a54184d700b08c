"""Instants, fees and helpers the Subscription aggregate tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.agreement import Agreement, replay_agreement
from domain.money import Money
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import Fee, Party, PeriodUnit

TERM_START = datetime(2024, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2023, 12, 1, tzinfo=UTC)
FEBRUARY = datetime(2024, 2, 1, tzinfo=UTC)
MARCH = datetime(2024, 3, 1, tzinfo=UTC)
JUNE = datetime(2024, 6, 1, tzinfo=UTC)
SEPTEMBER = datetime(2024, 9, 1, tzinfo=UTC)
RECORDED_AT = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
GLOBEX = Party("globex", "Globex Corporation")
BASIC_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
PREMIUM_FEE = Fee(Money(Decimal("300.00"), "EUR"), PeriodUnit.MONTH)

Subscribe = Callable[..., Subscription]
Replay = Callable[[Iterable[Subscription.Event]], Subscription]


def collect(subscription: Subscription) -> list[Subscription.Event]:
    """The subscription's pending events, checked to be Subscription events."""
    events = subscription.collect_events()
    typed = [event for event in events if isinstance(event, Subscription.Event)]
    assert len(typed) == len(events), f"not all subscription events: {events!r}"
    return typed


def replay(events: Iterable[Subscription.Event]) -> Subscription:
    """The subscription rebuilt from a non-empty history."""
    subscription = replay_subscription(list(events))
    assert subscription is not None, "no events to replay"
    return subscription


def service_from(events: Iterable[Agreement.Event]) -> Agreement:
    """The service SLA rebuilt from its events."""
    agreement = replay_agreement(events)
    assert agreement is not None, "no events to replay"
    return agreement
