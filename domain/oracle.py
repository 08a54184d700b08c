"""The replay oracle: compliance, breaches and credits of one agreement, straight from its events.

Deliberately plain: fold every event recorded by known_at, then evaluate. Every fast path of the
ledger must give exactly this function's answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.agreement_history import AgreementHistory
from domain.compliance import TrackResult
from domain.compliance_report import ComplianceReport, compliance_report
from domain.compliance_series import ComplianceSeries, Step, series_from_history
from domain.errors import NotFoundError
from domain.known_at import history_known_at, known_by
from domain.period_results import PeriodEvent
from domain.period_walk import PeriodWindow
from domain.resource_names import subscription_name, tier_name
from domain.subscriber_views import subscriber_history, tier_history
from domain.subscriptions import Subscription, replay_subscription
from domain.window_evaluation import evaluate_window


def replay_compliance(
    events: Iterable[Any],
    as_of: datetime,
    known_at: datetime,
    objective_id: str | None = None,
) -> ComplianceReport:
    """The compliance report from an agreement's events (in log order) at as_of, as of known_at."""
    history = history_known_at(events, known_at)

    def from_history(current: PeriodWindow) -> list[TrackResult]:
        return evaluate_window(history, current, as_of)

    return compliance_report(history, as_of, known_at, objective_id, from_history)


def replay_subscriber_compliance(
    events: Iterable[Any],
    subscription_events: Iterable[Subscription.Event],
    as_of: datetime,
    known_at: datetime,
    objective_id: str | None = None,
) -> ComplianceReport:
    """A subscriber's compliance report from a service SLA's events (in log order; period events
    of other subscribers are left out) and its subscription's, at as_of, as of known_at."""
    view = subscriber_view(events, subscription_events, known_at)

    def from_history(current: PeriodWindow) -> list[TrackResult]:
        return evaluate_window(view, current, as_of)

    return compliance_report(view, as_of, known_at, objective_id, from_history)


def replay_tier_compliance(
    events: Iterable[Any],
    tier_id: str,
    as_of: datetime,
    known_at: datetime,
    objective_id: str | None = None,
) -> ComplianceReport:
    """The compliance every subscriber of a tier shares, from a service SLA's events (in log
    order; subscribers' period events are left out), at as_of, as of known_at."""
    view = tier_view(events, tier_id, as_of, known_at)

    def from_history(current: PeriodWindow) -> list[TrackResult]:
        return evaluate_window(view, current, as_of)

    return compliance_report(view, as_of, known_at, objective_id, from_history)


def subscriber_view(
    events: Iterable[Any], subscription_events: Iterable[Subscription.Event], known_at: datetime
) -> AgreementHistory:
    """A subscriber's view of a service SLA from the service's events (in log order; period
    events of other subscribers are left out) and its subscription's, as of known_at."""
    recorded = list(subscription_events)
    subscription = replay_subscription(list(known_by(recorded, known_at)))
    if subscription is None:
        raise NotFoundError(
            f"no subscription was recorded by {known_at.isoformat()}",
            resource_type="subscription",
            resource_name=_subscription_name(recorded),
        )
    customer_id = subscription.customer_id
    own = (e for e in events if not isinstance(e, PeriodEvent) or e.customer_id == customer_id)
    return subscriber_history(history_known_at(own, known_at), subscription)


def tier_view(
    events: Iterable[Any], tier_id: str, instant: datetime, known_at: datetime
) -> AgreementHistory:
    """The view a service SLA's tier (in its terms at instant) shares, from the service's events
    (in log order; subscribers' period events are left out), as of known_at."""
    own = (e for e in events if not isinstance(e, PeriodEvent) or not e.customer_id)
    history = history_known_at(own, known_at)
    if history.agreement.terms_in_force(instant).terms.tier(tier_id) is None:
        raise NotFoundError(
            f"the service has no tier {tier_id!r} at {instant.isoformat()}",
            resource_type="tier",
            resource_name=tier_name(history.agreement.agreement_id, tier_id),
        )
    return tier_history(history, tier_id)


def replay_series(
    events: Iterable[Any],
    objective_id: str,
    period_instant: datetime,
    as_of: datetime,
    known_at: datetime,
    step: Step | None = None,
) -> ComplianceSeries:
    """The compliance series of an agreement's objective (its period holding period_instant, up
    to as_of) from its events (in log order), as of known_at: one evaluation per point."""
    history = history_known_at(events, known_at)
    return series_from_history(history, objective_id, period_instant, as_of, step)


def _subscription_name(recorded: list[Subscription.Event]) -> str:
    """The relative name of the subscription whose events these are ("" when there are none)."""
    first = recorded[0] if recorded else None
    if isinstance(first, Subscription.Subscribed):
        return subscription_name(first.agreement_id, first.customer.party_id)
    return ""
