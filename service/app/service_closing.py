"""Closing a service SLA's periods for every subscriber, a bounded number of them a call.

Each subscriber is judged on its own view of the service (domain/subscriber_views.py), exactly
as domain.period_closing.close_due_periods closes that view's history; the results go to the
subscriber's own period streams (agreement:<id>/customer:<customer>/objective:…/period:…), so a
second close of a period is impossible whatever the retries or concurrent closers.

- A call closes at most `limit` periods (MAX_SUBSCRIBER_PERIODS_PER_CLOSE by default), oldest
  first across all subscribers (by window end, objective, customer), and stops early once it
  has read readings_budget readings; more_due says more are due, and the next call goes on.
- Subscribers on identical terms (the same tiers from the same instants, the same start and
  end) walk their periods once together; the walks resume near the service's last closes
  (service/app/service_close_reads.py); the periods found are checked against the store in
  batches of stream heads.
- A window's readings are read once for all subscribers, and evaluated once for all those
  without data of their own in it, from the readings summed once per bucket
  (service/app/window_judge.py); a subscriber's breach run (for termination rights) reads the
  standings of its earlier periods, in one batch a step back for all subscribers.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.agreement import Agreement
from domain.compliance import Status
from domain.credit_cap_periods import has_credit_cap
from domain.identifiers import period_stream
from domain.period_closing import close_period
from domain.period_results import PeriodEvent
from domain.period_walk import PeriodWindow, walk_periods
from domain.subscriber_views import subscriber_agreement
from service.app.closing_plans import MAX_READINGS_PER_CLOSE, ClosePlan
from service.app.credit_caps import with_caps
from service.app.event_log import EventLog
from service.app.service_close_reads import (
    Subscriber,
    load_run_standings,
    set_resume_instants,
    status_of,
)
from service.app.subscriber_reads import logged_subscriptions
from service.app.window_judge import WindowJudge

# Every subscriber of a large service closes in a call or two; the reply lists only the first
# events whatever the number (service/api/command_replies.py).
MAX_SUBSCRIBER_PERIODS_PER_CLOSE = 10_000
_HEADS_CHUNK = 2_000


@dataclass(frozen=True)
class _Due:
    """A subscriber's due period (in its own view's terms) and its stream."""

    window: PeriodWindow
    subscriber: Subscriber
    stream: str

    def order(self) -> tuple[datetime, str, str]:
        """Oldest first: by window end, objective, customer."""
        return (self.window.window_end, self.window.objective.objective_id, self.stream)


def plan_service_close(
    log: EventLog,
    service: Agreement,
    until: datetime,
    recorded_at: datetime,
    limit: int = MAX_SUBSCRIBER_PERIODS_PER_CLOSE,
    readings_budget: int = MAX_READINGS_PER_CLOSE,
) -> ClosePlan:
    """The events closing the oldest due periods of the service's subscribers not closed yet:
    at most limit periods, and no more after readings_budget readings were read (at least one
    period when any is due)."""
    subscribers = [
        Subscriber(logged, subscriber_agreement(service, logged.subscription))
        for logged in logged_subscriptions(log, service.agreement_id)
    ]
    set_resume_instants(log, service, subscribers)
    due, more_due = _due_unclosed(log, subscribers, until, limit)
    judge = WindowJudge(log, service)
    judged = []
    for count, period in enumerate(due):
        judge.load(period.window)
        if count and judge.read > readings_budget:
            more_due = True
            break
        judged.append((period, judge.results(period.window, period.subscriber.customer_id)))
    statuses: dict[int, str] = {}
    in_call: dict[tuple[str, str, str], str] = {}
    breached = []
    for period, results in judged:
        status = statuses.get(id(results))
        if status is None:
            status = statuses[id(results)] = status_of(results)
        window = period.window
        key = (period.subscriber.customer_id, window.objective.objective_id, window.period.label)
        in_call[key] = status
        if status == Status.BREACHED.value:
            breached.append((period.subscriber, window))
    load_run_standings(log, service.agreement_id, breached, in_call)
    events: list[PeriodEvent] = []
    for period, results in judged:
        subscriber = period.subscriber
        events.extend(
            close_period(
                subscriber.history, period.window, recorded_at, subscriber.closed_now, results
            )
        )
    if has_credit_cap(service):
        views = {s.customer_id: s.view for s in subscribers}
        events = with_caps(log, events, views.get)
    return ClosePlan(events, len(judged), more_due)


def _due_unclosed(
    log: EventLog, subscribers: list[Subscriber], until: datetime, limit: int
) -> tuple[list[_Due], bool]:
    """The oldest limit due periods of the subscribers not closed yet, and whether more are
    due."""
    walks = _Walks(until)
    candidates = heapq.merge(
        *(
            walks.of(subscriber, objective_id)
            for subscriber in subscribers
            if _may_be_due(subscriber, until)
            for objective_id in subscriber.view.objective_ids
        ),
        key=_Due.order,
    )
    found: list[_Due] = []
    while len(found) <= limit and (chunk := list(itertools.islice(candidates, _HEADS_CHUNK))):
        closed = log.stream_heads([d.stream for d in chunk])
        found.extend(d for d in chunk if d.stream not in closed)
    return found[:limit], len(found) > limit


def _may_be_due(subscriber: Subscriber, until: datetime) -> bool:
    """Whether the subscriber may have a period not closed yet that ended by until: it started
    before until, and did not end before where its walks resume (every period not closed yet
    ends there or later)."""
    subscription = subscriber.subscription
    if subscription.start >= until:
        return False
    end, near = subscription.end, subscriber.near
    return end is None or near is None or end >= near


class _Walks:
    """The walks of the subscribers' periods, each walked once for all subscribers on the same
    terms (tiers and their instants, start and end) resuming at the same instant."""

    def __init__(self, until: datetime) -> None:
        self._until = until
        self._shared: dict[tuple[Any, ...], _SharedWalk] = {}

    def of(self, subscriber: Subscriber, objective_id: str) -> Iterator[_Due]:
        """The subscriber's due periods of the objective from where its walk resumes, in the
        terms of its own view."""
        subscription = subscriber.subscription
        key = (
            objective_id,
            subscriber.near,
            tuple((c.tier_id, c.effective_from) for c in subscription.changes),
            subscription.start,
            subscription.planned_end,
            subscription.ended_at,
        )
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = _SharedWalk(
                subscriber.view, objective_id, subscriber.near, self._until
            )
        return self._own(subscriber, shared)

    @staticmethod
    def _own(subscriber: Subscriber, shared: _SharedWalk) -> Iterator[_Due]:
        versions = subscriber.view.terms_versions
        agreement_id, customer_id = subscriber.view.agreement_id, subscriber.customer_id
        for window in shared:
            own = PeriodWindow(
                window.objective,
                window.period,
                versions[shared.version_index[id(window.terms)]],
                window.window_start,
                window.window_end,
            )
            stream = period_stream(
                agreement_id, window.objective.objective_id, window.period.label, customer_id
            )
            yield _Due(own, subscriber, stream)


class _SharedWalk:
    """One walk's due periods from near on (those ending at or after near), kept as walked
    so that every subscriber on the same terms reads them."""

    def __init__(
        self, view: Agreement, objective_id: str, near: datetime | None, until: datetime
    ) -> None:
        walk = walk_periods(view, objective_id, near=near)
        due = itertools.takewhile(lambda w: w.window_end <= until, walk)
        self._source = (w for w in due if near is None or w.window_end >= near)
        self._walked: list[PeriodWindow] = []
        self.version_index = {id(v): i for i, v in enumerate(view.terms_versions)}

    def __iter__(self) -> Iterator[PeriodWindow]:
        index = 0
        while True:
            if index == len(self._walked):
                following = next(self._source, None)
                if following is None:
                    return
                self._walked.append(following)
            yield self._walked[index]
            index += 1
