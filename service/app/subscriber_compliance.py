"""The compliance of a service SLA for one subscriber and for a tier, three ways: replaying the
streams a report needs, from rollups, or replaying the whole service (the reference answer).

A subscriber's report is the oracle's (domain.oracle.replay_subscriber_compliance) and reads
only what it needs: the service's own stream, the subscriber's subscription stream and its own
period-result streams, and the day streams of the windows holding as_of (or their rollups),
never the other subscribers. A tier's report (replay_tier_compliance) reads the service's own
stream, its own result streams and the window's days. Readings with a `customer` label count
only for that customer: a subscriber's view counts rollup rows whose label set has no customer
label or its own, the tier's view only those without (domain/subscriber_views.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from domain.agreement import EXCLUSION_EVENTS, Agreement, replay_agreement
from domain.agreement_history import AgreementHistory
from domain.compliance import TrackResult
from domain.compliance_report import ComplianceReport, compliance_report
from domain.compliance_streams import results_before, window_day_streams
from domain.errors import NotFoundError
from domain.identifiers import agreement_stream, is_identifier, subscription_stream
from domain.known_at import history_known_at, known_by
from domain.oracle import replay_subscriber_compliance, replay_tier_compliance
from domain.period_results import PeriodEvent
from domain.period_walk import PeriodWindow, current_windows
from domain.resource_names import agreement_name, subscription_name, tier_name
from domain.rollup_sums import SpanSums
from domain.subscriber_views import (
    CUSTOMER_LABEL,
    subscriber_agreement,
    subscriber_history,
    tier_agreement,
    tier_history,
    visible_readings,
)
from domain.subscriptions import Subscription, replay_subscription
from domain.window_evaluation import evaluate_window
from service.app.event_log import EventLog
from service.app.rollup_reads import RollupSource, rollup_results

Logged = list[tuple[int, Any]]


class SubscriberCompliance:
    """The compliance of a service SLA's subscriber, or of one of its tiers, at (as_of,
    known_at)."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def subscriber_report(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource | None,
    ) -> tuple[ComplianceReport, int]:
        """One subscriber's report, from rollups when there are rollups to read, else by
        replaying the streams it needs; and the log position it reflects."""
        if rollups is None:
            return self.subscriber_by_stream_replay(
                agreement_id, customer_id, objective_id, as_of, known_at
            )
        return self.subscriber_from_rollups(
            agreement_id, customer_id, objective_id, as_of, known_at, rollups
        )

    def tier_report(
        self,
        agreement_id: str,
        tier_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource | None,
    ) -> tuple[ComplianceReport, int]:
        """The report every subscriber of a tier shares, from rollups when there are rollups
        to read, else by replaying the streams it needs; and the log position it reflects."""
        if rollups is None:
            return self.tier_by_stream_replay(agreement_id, tier_id, objective_id, as_of, known_at)
        return self.tier_from_rollups(agreement_id, tier_id, objective_id, as_of, known_at, rollups)

    def subscriber_by_stream_replay(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report for one subscriber, replaying only the streams it needs; and the
        log position it reflects."""
        head, own, states = self._service_log(agreement_id)
        subscribed = self._subscription_log(agreement_id, customer_id, head)
        views = [
            subscriber_agreement(state, subscription)
            for state in states
            for subscription in _prefix_states(subscribed)
        ]
        streams = self._own_results(agreement_id, customer_id, as_of)
        streams |= window_day_streams(views, as_of)
        logged = _merged(own, self._log.stream_events(streams, head))
        report = replay_subscriber_compliance(
            (e for _, e in logged),
            (cast(Subscription.Event, e) for _, e in subscribed),
            as_of,
            known_at,
            objective_id or None,
        )
        return report, head

    def tier_by_stream_replay(
        self,
        agreement_id: str,
        tier_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report for a tier, replaying only the streams it needs; and the log
        position it reflects."""
        head, own, states = self._service_log(agreement_id)
        streams = self._log.result_streams(agreement_id, states[-1], as_of)
        streams |= window_day_streams([tier_agreement(s, tier_id) for s in states], as_of)
        logged = _merged(own, self._log.stream_events(streams, head))
        report = replay_tier_compliance(
            (e for _, e in logged), tier_id, as_of, known_at, objective_id or None
        )
        return report, head

    def subscriber_from_rollups(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report for one subscriber from rollups (the subscriber's own and the
        service's rows), and the log position it reflects."""
        head, own, _ = self._service_log(agreement_id)
        subscribed = self._subscription_log(agreement_id, customer_id, head)
        results = self._log.stream_events(self._own_results(agreement_id, customer_id, as_of), head)
        subscription = replay_subscription(
            list(known_by((cast(Subscription.Event, e) for _, e in subscribed), known_at))
        )
        if subscription is None:
            raise NotFoundError(
                f"customer {customer_id} had no subscription to {agreement_id} recorded by "
                f"{known_at.isoformat()}",
                resource_type="subscription",
                resource_name=subscription_name(agreement_id, customer_id),
            )
        history = history_known_at((e for _, e in _merged(own, results)), known_at)
        view = subscriber_history(history, subscription)
        report = _report_from_rollups(
            self._log, view, customer_id, objective_id, as_of, known_at, head, rollups
        )
        return report, head

    def tier_from_rollups(
        self,
        agreement_id: str,
        tier_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report for a tier from rollups (the service's rows only), and the log
        position it reflects."""
        head, own, states = self._service_log(agreement_id)
        results = self._log.stream_events(
            self._log.result_streams(agreement_id, states[-1], as_of), head
        )
        own_only = (
            e
            for _, e in _merged(own, results)
            if not isinstance(e, PeriodEvent) or not e.customer_id
        )
        history = history_known_at(own_only, known_at)
        if history.agreement.terms_in_force(as_of).terms.tier(tier_id) is None:
            raise NotFoundError(
                f"the service has no tier {tier_id!r} at {as_of.isoformat()}",
                resource_type="tier",
                resource_name=tier_name(agreement_id, tier_id),
            )
        view = tier_history(history, tier_id)
        report = _report_from_rollups(
            self._log, view, "", objective_id, as_of, known_at, head, rollups
        )
        return report, head

    def subscriber_by_full_replay(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
    ) -> ComplianceReport:
        """The replay oracle over every event of the service: the reference answer for one
        subscriber."""
        events = self._every_event(agreement_id)
        stream = subscription_stream(agreement_id, customer_id)
        subscribed = [
            e for e in events if isinstance(e, Subscription.Event) and e.originator_id == stream
        ]
        if not subscribed:
            raise NotFoundError(
                f"customer {customer_id} has no subscription to {agreement_id}",
                resource_type="subscription",
                resource_name=subscription_name(agreement_id, customer_id),
            )
        return replay_subscriber_compliance(
            events, subscribed, as_of, known_at, objective_id or None
        )

    def tier_by_full_replay(
        self,
        agreement_id: str,
        tier_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
    ) -> ComplianceReport:
        """The replay oracle over every event of the service: the reference answer for a
        tier."""
        events = self._every_event(agreement_id)
        return replay_tier_compliance(events, tier_id, as_of, known_at, objective_id or None)

    def _every_event(self, agreement_id: str) -> list[Any]:
        events = self._log.agreement_events(agreement_id)
        if not events:
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        return events

    def _service_log(self, agreement_id: str) -> tuple[int, Logged, list[Agreement]]:
        """The log's head, the service's own (position, event) pairs up to it, and the service
        after each of its events but exclusions (which never change its streams)."""
        if not is_identifier(agreement_id):
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        head = self._log.head()
        own = self._log.stream_events({agreement_stream(agreement_id)}, head)
        if not own:
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        events = [cast(Agreement.Event, e) for _, e in own]
        states = [
            replay_agreement(events[: i + 1])
            for i, event in enumerate(events)
            if not isinstance(event, EXCLUSION_EVENTS)
        ]
        return head, own, [s for s in states if s is not None]

    def _subscription_log(self, agreement_id: str, customer_id: str, head: int) -> Logged:
        """The (position, event) pairs of the customer's subscription up to head; NotFoundError
        when the customer never subscribed."""
        logged: Logged = []
        if is_identifier(customer_id):
            stream = subscription_stream(agreement_id, customer_id)
            logged = self._log.stream_events({stream}, head)
        if not logged:
            raise NotFoundError(
                f"customer {customer_id} has no subscription to {agreement_id}",
                resource_type="subscription",
                resource_name=subscription_name(agreement_id, customer_id),
            )
        return logged

    def _own_results(self, agreement_id: str, customer_id: str, as_of: datetime) -> set[str]:
        """The subscriber's period streams that may hold results of periods ended by as_of."""
        low = f"{subscription_stream(agreement_id, customer_id)}/objective:"
        names = self._log.streams_begun([(low, low[:-1] + chr(ord(low[-1]) + 1))])
        return results_before(names, as_of)


def _prefix_states(subscribed: Logged) -> list[Subscription]:
    """The subscription after each of its events."""
    events = [cast(Subscription.Event, e) for _, e in subscribed]
    states = [replay_subscription(events[: i + 1]) for i in range(len(events))]
    return [s for s in states if s is not None]


def _report_from_rollups(
    log: EventLog,
    view: AgreementHistory,
    customer_id: str,
    objective_id: str,
    as_of: datetime,
    known_at: datetime,
    head: int,
    rollups: RollupSource,
) -> ComplianceReport:
    """A view's report (a subscriber's, or the tier's with customer_id ""), each window of a
    reading objective evaluated from the rollups and readings the customer's view counts."""
    windows = current_windows(view, as_of, objective_id or None)
    visible = VisibleLabels(customer_id)
    tracks = rollup_results(
        log,
        view.agreement.agreement_id,
        windows,
        view.exclusions,
        as_of,
        known_at,
        head,
        rollups,
        visible_span=visible.span,
        visible=lambda readings: visible_readings(readings, customer_id),
    )

    def from_rollups(current: PeriodWindow) -> list[TrackResult]:
        oid = current.objective.objective_id
        if oid not in tracks:  # a case objective: a view holds no cases of its own
            return evaluate_window(view, current, as_of)
        return tracks[oid]

    return compliance_report(view, as_of, known_at, objective_id or None, from_rollups, windows)


class VisibleLabels:
    """Which rollup label sets a customer's view counts: those without a customer label, and
    (for a subscriber) those of its own customer id; memoised by label text."""

    def __init__(self, customer_id: str) -> None:
        self._customer_id = customer_id
        self._known: dict[str, bool] = {"": True}

    def __call__(self, labels_text: str) -> bool:
        known = self._known.get(labels_text)
        if known is None:
            labels = json.loads(labels_text)
            known = labels.get(CUSTOMER_LABEL, "") in ("", self._customer_id)
            self._known[labels_text] = known
        return known

    def span(self, span: SpanSums) -> SpanSums:
        """The span with only the label sets the view counts (span itself when it holds no
        other customer's)."""
        totals = span.totals
        if totals is not None and all(self(t.labels) for t in totals):
            return span
        buckets = span.buckets
        kept = [t for t in totals if self(t.labels)] if totals is not None else None
        return replace(span, totals=kept, buckets=_filtered(buckets, self))


def _filtered(
    buckets: Callable[[], Sequence[Any]], keep: Callable[[str], bool]
) -> Callable[[], Sequence[Any]]:
    def read() -> Sequence[Any]:
        return [b for b in buckets() if keep(b.labels)]

    return read


def _merged(*logs: Iterable[tuple[int, Any]]) -> Logged:
    return sorted((pair for log in logs for pair in log), key=lambda pair: pair[0])
