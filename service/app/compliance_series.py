"""Compliance series of an agreement, a service's tier or a subscriber: from rollups, by
replaying the streams a series needs (the subject's own streams and the days of its window), or
every event of the agreement (the reference answer, one evaluation per point).

A series is found in two steps: the subject's view folded from its own streams (agreement,
subscription) as known at known_at gives the window; then only that window's day streams (and,
for a case objective, the streams of the cases that may be judged in it) are read, once, and
counted in one pass, point after point (domain/compliance_series.py). From rollups, the window's
rollups are read once, with the readings of the buckets the segments between points cut, and
each segment is counted from them (domain/series_rollups.py); a subscriber's and a tier's view
count only the rows and readings it sees, as GetCompliance's (subscriber_compliance.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from domain.agreement_history import AgreementHistory
from domain.compliance import Tally, Track, TrackResult
from domain.compliance_series import (
    ComplianceSeries,
    SeriesPoint,
    Step,
    build_series,
    cumulative_tracks,
    series_by_segments,
    series_from_history,
    series_window,
)
from domain.compliance_streams import day_streams
from domain.errors import NotFoundError
from domain.identifiers import agreement_stream, case_stream, is_identifier, subscription_stream
from domain.instants import to_epoch_us
from domain.known_at import history_known_at, recorded_by
from domain.measurements import Measurement
from domain.oracle import subscriber_view, tier_view
from domain.period_results import PeriodEvent
from domain.period_walk import PeriodWindow
from domain.resource_names import agreement_name, subscription_name
from domain.rollup_sums import span_of, summarize_event
from domain.series_rollups import reading_buckets, readings_in, rollup_tracks, segment_plans
from domain.subscriber_views import visible_readings
from domain.subscriptions import Subscription
from service.app.event_log import EventLog
from service.app.rollup_reads import RollupSource, window_events
from service.app.subscriber_compliance import VisibleLabels

_TICK = timedelta(microseconds=1)
Logged = list[tuple[int, Any]]


@dataclass(frozen=True)
class SeriesQuestion:
    """What a series is asked for: whose (a tier or a subscriber of a service SLA, else the
    agreement), which objective and period, up to as_of, as known at known_at."""

    agreement_id: str
    objective_id: str
    period_instant: datetime
    as_of: datetime
    known_at: datetime
    step: Step | None = None
    tier_id: str = ""
    customer_id: str = ""


class SeriesQueries:
    """Compliance series at (as_of, known_at)."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def series(
        self, question: SeriesQuestion, rollups: RollupSource | None
    ) -> tuple[ComplianceSeries, int]:
        """The series asked for, from rollups when there are rollups to read, else by
        replaying the streams it needs; and the log position it reflects."""
        if rollups is None:
            return self.by_stream_replay(question)
        return self.from_rollups(question, rollups)

    def from_rollups(
        self, question: SeriesQuestion, rollups: RollupSource
    ) -> tuple[ComplianceSeries, int]:
        """The oracle's series from rollups, read once over the window (case objectives by
        replaying their streams); and the log position it reflects."""
        q = question
        head = self._log.head()
        own = self._own_events(q, head)
        view = self._view_of(q)(e for _, e in own)
        _, _, found = series_window(view, q.objective_id, q.period_instant)
        if found is not None and found.objective.rules.case_clock is not None:
            return self.by_stream_replay(q)
        visible = VisibleLabels(q.customer_id)
        subscribed = bool(q.tier_id or q.customer_id)

        def counted(window: PeriodWindow, points: list[SeriesPoint]) -> list[list[TrackResult]]:
            oid = window.objective.objective_id
            plans = segment_plans(window, view.exclusions, points)
            if not plans:
                return cumulative_tracks(window.objective, window, points, _nothing)
            _, rolled = rollups.window_rollups(
                q.agreement_id,
                [(oid, plans[0].start_us, plans[-1].end_us)],
                to_epoch_us(q.known_at),
                head,
            )
            found = rolled.get(oid, [])
            spans = [visible.span(span) if subscribed else span for _, span in found]
            covered = {position for position, _ in found}
            readings: list[Measurement] = []
            pairs = [(oid, plan) for plan in plans]
            needed = reading_buckets(plans)
            for position, event in window_events(self._log, q.agreement_id, pairs, covered, head):
                if not recorded_by(event, q.known_at):
                    continue
                readings.extend(readings_in(event, needed))
                if position not in covered:  # sparse, or beyond the projection
                    span = span_of(summarize_event(event))
                    spans.append(visible.span(span) if subscribed else span)
            if subscribed:
                readings = visible_readings(readings, q.customer_id)
            return rollup_tracks(window, view.exclusions, points, spans, readings)

        series = build_series(view, q.objective_id, q.period_instant, q.as_of, q.step, counted)
        return series, head

    def by_stream_replay(self, question: SeriesQuestion) -> tuple[ComplianceSeries, int]:
        """The oracle's series, reading only the streams it needs; and the log position it
        reflects."""
        q = question
        head = self._log.head()
        own = self._own_events(q, head)
        view = self._view_of(q)
        first = view(e for _, e in own)
        _, _, window = series_window(first, q.objective_id, q.period_instant)
        streams: set[str] = set()
        if window is not None and q.as_of >= window.window_start:
            oid = window.objective.objective_id
            last = min(window.window_end - _TICK, q.as_of)
            streams.update(day_streams(q.agreement_id, oid, window.window_start, last))
            if window.objective.rules.case_clock is not None and not (q.tier_id or q.customer_id):
                start = to_epoch_us(window.window_start)
                end = to_epoch_us(min(window.window_end, q.as_of + _TICK))
                ids = self._log.all_case_ids(q.agreement_id, start, end, to_epoch_us(q.known_at))
                streams.update(case_stream(q.agreement_id, case_id) for case_id in ids)
        logged = _merged(own, self._log.stream_events(streams, head)) if streams else own
        history = view(e for _, e in logged)
        series = series_by_segments(history, q.objective_id, q.period_instant, q.as_of, q.step)
        return series, head

    def by_full_replay(self, question: SeriesQuestion) -> ComplianceSeries:
        """The replay oracle over every event of the agreement: one evaluation per point."""
        q = question
        events = self._log.agreement_events(q.agreement_id)
        if not events:
            raise NotFoundError(
                f"agreement {q.agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(q.agreement_id),
            )
        if q.customer_id:
            stream = subscription_stream(q.agreement_id, q.customer_id)
            subscribed = [
                e for e in events if isinstance(e, Subscription.Event) and e.originator_id == stream
            ]
            if not subscribed:
                raise NotFoundError(
                    f"customer {q.customer_id} has no subscription to {q.agreement_id}",
                    resource_type="subscription",
                    resource_name=subscription_name(q.agreement_id, q.customer_id),
                )
            history = subscriber_view(events, subscribed, q.known_at)
        else:
            history = self._view_of(q)(events)
        return series_from_history(history, q.objective_id, q.period_instant, q.as_of, q.step)

    def _own_events(self, q: SeriesQuestion, head: int) -> Logged:
        """The agreement's own events (and the subscriber's subscription's) up to head."""
        if not is_identifier(q.agreement_id):
            raise NotFoundError(
                f"agreement {q.agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(q.agreement_id),
            )
        own = self._log.stream_events({agreement_stream(q.agreement_id)}, head)
        if not own:
            raise NotFoundError(
                f"agreement {q.agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(q.agreement_id),
            )
        if q.customer_id:
            subscribed: Logged = []
            if is_identifier(q.customer_id):
                stream = subscription_stream(q.agreement_id, q.customer_id)
                subscribed = self._log.stream_events({stream}, head)
            if not subscribed:
                raise NotFoundError(
                    f"customer {q.customer_id} has no subscription to {q.agreement_id}",
                    resource_type="subscription",
                    resource_name=subscription_name(q.agreement_id, q.customer_id),
                )
            own = _merged(own, subscribed)
        return own

    def _view_of(self, q: SeriesQuestion) -> Callable[[Iterable[Any]], AgreementHistory]:
        """How the subject's view is folded from events in log order (a subscriber's own
        subscription events among them), as known at known_at."""
        if q.customer_id:

            def subscriber(events: Iterable[Any]) -> AgreementHistory:
                every = list(events)
                subscribed = [cast(Subscription.Event, e) for e in every if _is_subscription(e)]
                service = [e for e in every if not _is_subscription(e)]
                return subscriber_view(service, subscribed, q.known_at)

            return subscriber
        if q.tier_id:
            return lambda events: tier_view(events, q.tier_id, q.period_instant, q.known_at)
        return lambda events: history_known_at(
            (e for e in events if not isinstance(e, PeriodEvent)), q.known_at
        )


def _nothing(start: int, end: int, tallies: dict[Track, Tally]) -> int:
    return 0


def _is_subscription(event: Any) -> bool:
    return isinstance(event, Subscription.Event)


def _merged(*logs: Iterable[tuple[int, Any]]) -> Logged:
    return sorted((pair for log in logs for pair in log), key=lambda pair: pair[0])
