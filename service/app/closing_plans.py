"""Closing due periods a bounded number at a time, reading only the streams each close needs.

A call closes at most MAX_PERIODS_PER_CLOSE objective-periods, oldest first (by window end,
then objective), and stops early once it has read MAX_READINGS_PER_CLOSE readings; it reports
more_due when more were due, and the next call goes on from there. Nothing of the whole history
is loaded:

- Closes happen oldest first, so an objective's closed periods are a prefix of its walk, except
  after an amendment recorded later that changes periods from its effective instant on. Each
  objective's walk therefore resumes a few periods before its last closed period (the one whose
  PeriodClosed has the highest log position), or before the effective instant of an amendment
  recorded after that close, whichever is earlier; every period it reaches is checked against
  the store, so one closed already is never closed again.
- A period is judged with the readings of its window (its UTC day streams), the agreement's
  exclusions and terms, and the standings of the periods before it while they are breached
  (for termination rights): exactly what close_due_periods reads from a full history. A period of
  a case objective is judged with the timelines of the cases that may be judged in its window
  (found in the case index, everything recorded counting); their milestones count against
  MAX_READINGS_PER_CLOSE as readings do.

Recalculating a closed period reads as little (recalculation_history): the agreement, the
period's own stream (a subscriber's, for a service SLA), and the readings or the cases of the
window it was closed with.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory, add_period_events
from domain.case_milestones import Milestone
from domain.compliance import Status
from domain.compliance_streams import day_streams
from domain.identifiers import agreement_stream, period_stream
from domain.instants import to_epoch_us
from domain.measurements import Measurement, MetricMeasured
from domain.period_closing import close_period
from domain.period_results import PeriodEvent
from domain.period_walk import PeriodWindow, earlier_labels, walk_periods
from domain.periods import label_first_day
from service.app.credit_caps import with_caps
from service.app.event_log import EventLog

MAX_PERIODS_PER_CLOSE = 1_000
MAX_READINGS_PER_CLOSE = 1_000_000
_FIRST_HEADS_CHUNK = 8
_HEADS_CHUNK = 256
_RUN_CHUNK = 32
_TICK = timedelta(microseconds=1)
# A close reads everything recorded: every settling milestone counts as known.
_ALL_KNOWN = 2**63 - 1


@dataclass(frozen=True)
class ClosedPeriods:
    """What a close appended, whether more periods are due than it closed, and how many it
    closed."""

    events: list[Any]  # LoggedEvent: (position, event)
    more_due: bool
    closed_count: int


@dataclass(frozen=True)
class ClosePlan:
    """The events that close some due periods, how many periods, and whether more are due."""

    events: list[PeriodEvent]
    closed_count: int
    more_due: bool


def plan_close(
    log: EventLog,
    agreement: Agreement,
    until: datetime,
    recorded_at: datetime,
    limit: int = MAX_PERIODS_PER_CLOSE,
    readings_budget: int = MAX_READINGS_PER_CLOSE,
) -> ClosePlan:
    """The events closing the oldest due periods not closed yet: at most limit periods, and
    no more after readings_budget readings were read (at least one period when any is due)."""
    reader = _Reader(log)
    due, more_due = _due_unclosed(reader, agreement, until, limit)
    history = AgreementHistory(agreement, exclusions=list(agreement.exclusions))
    closed_now: dict[tuple[str, str], str] = {}
    events: list[PeriodEvent] = []
    read = 0
    for count, period in enumerate(due):
        readings: list[Measurement] = []
        cases: dict[str, list[Milestone]] = {}
        if period.objective.rules.case_clock is not None:
            cases = reader.window_cases(agreement.agreement_id, period)
            size = sum(len(milestones) for milestones in cases.values())
        else:
            readings = reader.window_readings(agreement.agreement_id, period)
            size = len(readings)
        if count and read + size > readings_budget:
            return ClosePlan(_capped(log, agreement, events), count, True)
        read += size
        history.readings = {period.objective.objective_id: readings}
        history.cases = cases
        reader.standings_before(history, period, closed_now)
        events.extend(close_period(history, period, recorded_at, closed_now))
    return ClosePlan(_capped(log, agreement, events), len(due), more_due)


def _capped(log: EventLog, agreement: Agreement, events: list[PeriodEvent]) -> list[PeriodEvent]:
    """The close's events and the cap entries they lead to (service/app/credit_caps.py)."""
    return with_caps(log, events, lambda customer_id: agreement)


def recalculation_history(
    log: EventLog, agreement: Agreement, objective_id: str, label: str, customer_id: str = ""
) -> AgreementHistory:
    """What recalculating one closed objective-period reads (domain.period_closing
    recalculate_period), and nothing more: the agreement (its newest state) and exclusions, the
    period's own stream (of the subscriber customer_id, for a service SLA: a history to view
    through domain.subscriber_views.subscriber_history), and the readings or the cases of the
    window it was closed with."""
    reader = _Reader(log)
    agreement_id = agreement.agreement_id
    history = AgreementHistory(agreement, exclusions=list(agreement.exclusions))
    stream = period_stream(agreement_id, objective_id, label, customer_id)
    add_period_events(history, reader.events([stream]))
    standing = history.period(objective_id, label)
    if standing is None:
        return history
    closed = standing.closed
    terms = next((v for v in agreement.terms_versions if v.number == closed.terms_version), None)
    objective = None
    if terms is not None:
        tier = terms.terms.tier(closed.tier_id) if closed.tier_id else None
        judged = tier.objectives if tier is not None else terms.terms.objectives
        objective = next((o for o in judged if o.objective_id == objective_id), None)
    if objective is None:
        return history
    start, end = closed.window_start, closed.window_end
    if objective.rules.case_clock is not None:
        history.cases = reader.cases_between(agreement_id, start, end)
    else:
        history.readings = {
            objective_id: reader.readings_between(agreement_id, objective_id, start, end)
        }
    return history


def _due_unclosed(
    reader: _Reader, agreement: Agreement, until: datetime, limit: int
) -> tuple[list[PeriodWindow], bool]:
    """The oldest limit due periods not closed yet, and whether more are due."""
    amendments = reader.amendments(agreement.agreement_id)
    walks = [
        reader.unclosed(
            agreement,
            objective_id,
            until,
            reader.resume_instant(agreement.agreement_id, objective_id, amendments),
        )
        for objective_id in agreement.objective_ids
    ]
    merged = heapq.merge(*walks, key=lambda d: (d.window_end, d.objective.objective_id))
    found = list(itertools.islice(merged, limit + 1))
    return found[:limit], len(found) > limit


class _Reader:
    """The store reads a bounded close makes."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def events(self, streams: Sequence[str]) -> list[Any]:
        """The decoded events of the streams, in log order."""
        notifications = self._log.stream_notifications(streams) if streams else []
        return [self._log.decode(n) for n in notifications]

    def amendments(self, agreement_id: str) -> list[tuple[int, datetime]]:
        """(log position, effective instant) of each amendment of the agreement."""
        notifications = self._log.stream_notifications([agreement_stream(agreement_id)])
        found = []
        for n in notifications:
            event = self._log.decode(n)
            if isinstance(event, Agreement.Amended):
                found.append((n.id, event.effective_from))
        return found

    def resume_instant(
        self, agreement_id: str, objective_id: str, amendments: Iterable[tuple[int, datetime]]
    ) -> datetime | None:
        """Where the objective's walk may resume: two days before the first day of its last
        closed period, or earlier for an amendment recorded after that close; None (the term
        start) when none of its periods was closed."""
        latest = self._log.latest_close(agreement_id, objective_id)
        if latest is None:
            return None
        position, stream = latest
        label = stream.rsplit("/period:", 1)[1]
        instant = datetime.combine(label_first_day(label), time(), UTC) - timedelta(days=2)
        later = [effective for at, effective in amendments if at > position]
        return min([instant, *later])

    def unclosed(
        self, agreement: Agreement, objective_id: str, until: datetime, near: datetime | None
    ) -> Iterator[PeriodWindow]:
        """The objective's due periods from near on that are not closed, oldest first."""
        walk = walk_periods(agreement, objective_id, near=near)
        due = itertools.takewhile(lambda d: d.window_end <= until, walk)
        size = _FIRST_HEADS_CHUNK  # growing: a call that needs few periods walks few
        while chunk := list(itertools.islice(due, size)):
            streams = [self._period_stream(agreement, d) for d in chunk]
            closed = self._log.stream_heads(streams)
            yield from (d for d, s in zip(chunk, streams, strict=True) if s not in closed)
            size = min(2 * size, _HEADS_CHUNK)

    def window_readings(self, agreement_id: str, due: PeriodWindow) -> list[Measurement]:
        """The readings of the objective recorded in the UTC days of the period's window."""
        return self.readings_between(
            agreement_id, due.objective.objective_id, due.window_start, due.window_end
        )

    def readings_between(
        self, agreement_id: str, objective_id: str, start: datetime, end: datetime
    ) -> list[Measurement]:
        """The readings of the objective recorded in the UTC days of [start, end)."""
        streams = day_streams(agreement_id, objective_id, start, end - _TICK)
        readings: list[Measurement] = []
        for event in self.events(streams):
            if isinstance(event, MetricMeasured):
                readings.extend(event.measurements())
        return readings

    def window_cases(self, agreement_id: str, due: PeriodWindow) -> dict[str, list[Milestone]]:
        """The milestones (in record order) of each case that may be judged in the period's
        window, from the case index."""
        return self.cases_between(agreement_id, due.window_start, due.window_end)

    def cases_between(
        self, agreement_id: str, start: datetime, end: datetime
    ) -> dict[str, list[Milestone]]:
        """The milestones (in record order) of each case that may be judged in [start, end),
        everything recorded counting."""
        ids = list(
            self._log.all_case_ids(agreement_id, to_epoch_us(start), to_epoch_us(end), _ALL_KNOWN)
        )
        return {
            case_id: [logged.event.milestone() for logged in events]
            for case_id, events in self._log.case_events(agreement_id, ids).items()
        }

    def standings_before(
        self, history: AgreementHistory, due: PeriodWindow, closed_now: dict[tuple[str, str], str]
    ) -> None:
        """Add to history the standings of the periods a run of breaches ending with due may
        reach back to: those before it, while they are breached, up to its termination limit."""
        limit = due.objective.rules.termination_right_after
        if limit is None:
            return
        objective_id = due.objective.objective_id
        labels = itertools.islice(earlier_labels(due), limit)
        while chunk := list(itertools.islice(labels, _RUN_CHUNK)):
            keys = [(objective_id, label) for label in chunk]
            missing = [k for k in keys if k not in history.periods and k not in closed_now]
            streams = [period_stream(history.agreement.agreement_id, *k) for k in missing]
            add_period_events(history, self.events(streams))
            for key in keys:
                standing = history.periods.get(key)
                status = standing.status if standing is not None else closed_now.get(key)
                if status != Status.BREACHED.value:
                    return

    @staticmethod
    def _period_stream(agreement: Agreement, due: PeriodWindow) -> str:
        return period_stream(agreement.agreement_id, due.objective.objective_id, due.period.label)
