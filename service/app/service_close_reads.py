"""What closing a service SLA's periods reads for every subscriber at once: where the walks may
resume, and the standings a run of breaches reaches back to (the readings and evaluations are
in service/app/window_judge.py).

- Resuming: a service's periods are closed oldest first across all its subscribers (by window
  end, objective, customer), so every period not closed yet ends after the period of any close
  recorded, except the periods changed by what was recorded after that close (an amendment or
  a termination of the service, a subscription, a tier change, an end). A few subscribers'
  last closes are looked up (the oldest running subscriptions, and one per tier); each gives
  every subscriber an instant its walks may resume from: two days before the first day of that
  close's period, or the instant from which something recorded after it takes effect if that
  is earlier (a period it cuts short ends there), or its term start when its subscription was
  recorded after it. "After" includes a margin before the close's record time, for what a
  concurrent close may have missed while it was planned. The latest of these instants is used;
  a walk gives the periods ending there or later.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory, PeriodStanding, add_period_events
from domain.compliance import Status, TrackResult
from domain.identifiers import agreement_stream, period_stream, subscription_stream
from domain.period_results import TrackFigures, overall_status
from domain.period_walk import PeriodWindow, earlier_labels
from domain.periods import label_first_day
from domain.subscriptions import Subscription
from service.app.event_log import EventLog
from service.app.subscriber_reads import LoggedSubscription

_TICK = timedelta(microseconds=1)
_PROBES = 3  # subscribers whose last close is looked up, beside the newest of each tier
# What was recorded this long before a close's record time is taken as possibly recorded while
# it was planned, after it read the log: planning takes seconds, hosts' clocks differ by less.
CONCURRENT_MARGIN = timedelta(minutes=10)


class Subscriber:
    """One subscriber as a close sees it: its subscription, its view of the service, where its
    walks may resume, the standings of its periods a close reads and the statuses of those it
    closed in this call."""

    def __init__(self, logged: LoggedSubscription, view: Agreement) -> None:
        self.logged = logged
        self.view = view
        self.near: datetime | None = None
        self.customer_id = logged.subscription.customer_id
        self.history = AgreementHistory(view, customer_id=self.customer_id)
        self.closed_now: dict[tuple[str, str], str] = {}

    @property
    def subscription(self) -> Subscription:
        """The subscription as recorded now."""
        return self.logged.subscription

    @property
    def periods(self) -> dict[tuple[str, str], PeriodStanding]:
        """The standings of its periods read so far."""
        return self.history.periods


def set_resume_instants(log: EventLog, service: Agreement, subscribers: list[Subscriber]) -> None:
    """Set each subscriber's near: where its walks may resume (see the module's docstring)."""
    closes = [
        found
        for probe in _probe_subscribers(subscribers)
        if (found := _last_close(log, service.agreement_id, probe)) is not None
    ]
    if not closes:
        return
    changes = _service_changes(log, service.agreement_id)
    for subscriber in subscribers:
        nears = [_near(subscriber, close, changes) for close in closes]
        known = [n for n in nears if n is not None]
        subscriber.near = max(known) if known else None


@dataclass(frozen=True)
class _Close:
    """A close recorded: its log position and record time, and the instant every period not
    closed yet ends at or after (but for what was recorded after it)."""

    position: int
    recorded_at: datetime
    instant: datetime

    def precedes(self, position: int, recorded_at: datetime) -> bool:
        """Whether what was recorded at position and recorded_at may have been missed by this
        close: recorded after it, or while it was being planned (within CONCURRENT_MARGIN of
        its record time, which it took before reading anything)."""
        return position > self.position or recorded_at >= self.recorded_at - CONCURRENT_MARGIN


def _probe_subscribers(subscribers: Sequence[Subscriber]) -> list[Subscriber]:
    """The subscribers whose last closes are likely the newest: those running longest, the
    oldest first; a few overall and the first of each tier they are on now."""

    def rank(s: Subscriber) -> tuple[bool, float, int]:
        end = s.subscription.end
        return (end is not None, -end.timestamp() if end else 0.0, s.logged.first_position)

    ranked = sorted(subscribers, key=rank)
    chosen = {id(s): s for s in ranked[:_PROBES]}
    for _, on_tier in itertools.groupby(
        sorted(ranked, key=lambda s: s.subscription.current.tier_id),
        key=lambda s: s.subscription.current.tier_id,
    ):
        first = min(on_tier, key=rank)
        chosen.setdefault(id(first), first)
    return list(chosen.values())


def _last_close(log: EventLog, agreement_id: str, probe: Subscriber) -> _Close | None:
    """The probed subscriber's close recorded last, if any."""
    low = f"{subscription_stream(agreement_id, probe.customer_id)}/objective:"
    found = log.last_begun(low, low[:-1] + chr(ord(low[-1]) + 1))
    if found is None:
        return None
    position, stream = found
    [first, *_] = log.stream_notifications([stream])
    label = stream.rsplit("/period:", 1)[1]
    instant = datetime.combine(label_first_day(label), time(), UTC) - timedelta(days=2)
    return _Close(position, log.decode(first).timestamp, instant)


def _service_changes(log: EventLog, agreement_id: str) -> list[tuple[int, datetime, datetime]]:
    """(log position, record time, instant) of each amendment (its effective instant) and
    termination (its effective instant) of the service: from there on, its periods change."""
    found = []
    for n in log.stream_notifications([agreement_stream(agreement_id)]):
        event = log.decode(n)
        if isinstance(event, Agreement.Amended):
            found.append((n.id, event.timestamp, event.effective_from))
        elif isinstance(event, Agreement.Terminated):
            found.append((n.id, event.timestamp, event.effective_at))
    return found


def _near(
    subscriber: Subscriber,
    close: _Close,
    changes: Iterable[tuple[int, datetime, datetime]],
) -> datetime | None:
    """Where the subscriber's walks may resume given a close: None (its term start) when its
    subscription may have been recorded after that close. A period cut short by what was
    recorded after the close ends at that instant, not before."""
    events = subscriber.logged.events
    if close.precedes(events[0][0], events[0][1].timestamp):
        return None
    later = [instant for at, recorded, instant in changes if close.precedes(at, recorded)]
    for at, event in events[1:]:
        if not close.precedes(at, event.timestamp):
            continue
        if isinstance(event, Subscription.TierChanged):
            later.append(event.effective_from)
        elif isinstance(event, Subscription.Ended):
            later.append(event.end_at)
    return min([close.instant, *later])


def status_of(results: Sequence[TrackResult]) -> str:
    """The status a PeriodClosed of these results records."""
    return overall_status([TrackFigures.of(r) for r in results])


def load_run_standings(
    log: EventLog,
    agreement_id: str,
    breached: Iterable[tuple[Subscriber, PeriodWindow]],
    in_call: dict[tuple[str, str, str], str],
) -> None:
    """Add to each subscriber's periods the standings a run of breaches ending with one of its
    breached due periods may reach back to (up to its termination limit), reading them a step
    back at a time for every subscriber at once. in_call holds the status of each period
    (customer id, objective id, label) this call closes."""
    pending: list[tuple[Subscriber, str, Iterator[str]]] = []
    for subscriber, window in breached:
        limit = window.objective.rules.termination_right_after
        if limit is not None:
            labels: Iterator[str] = itertools.islice(earlier_labels(window), limit)
            pending.append((subscriber, window.objective.objective_id, labels))
    while pending:
        wanted = [found for entry in pending if (found := _next_unread(entry, in_call))]
        streams = [
            period_stream(agreement_id, o, label, s.customer_id) for s, o, label, _ in wanted
        ]
        by_stream: dict[str, list[Any]] = {}
        for notification in log.stream_notifications(streams) if streams else ():
            event = log.decode(notification)
            by_stream.setdefault(str(notification.originator_id), []).append(event)
        pending = []
        for (subscriber, objective_id, label, rest), stream in zip(wanted, streams, strict=True):
            add_period_events(subscriber.history, by_stream.get(stream, []))
            standing = subscriber.periods.get((objective_id, label))
            if standing is not None and standing.status == Status.BREACHED.value:
                pending.append((subscriber, objective_id, rest))


def _next_unread(
    entry: tuple[Subscriber, str, Iterator[str]], in_call: dict[tuple[str, str, str], str]
) -> tuple[Subscriber, str, str, Iterator[str]] | None:
    """The next earlier label of a run whose standing must be read, or None when the run
    ends before one (at a period that is not breached, or at the termination limit)."""
    subscriber, objective_id, labels = entry
    for label in labels:
        status = in_call.get((subscriber.customer_id, objective_id, label))
        standing = subscriber.periods.get((objective_id, label))
        if standing is not None:
            status = standing.status
        if status is None:
            return subscriber, objective_id, label, labels
        if status != Status.BREACHED.value:
            return None
    return None
