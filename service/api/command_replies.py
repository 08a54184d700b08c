"""What the replies of commands say about the events they appended, small by design.

A command may append thousands of events (a close over years of daily periods); its reply says
how many and where they are, and lists only the first REPLY_EVENTS of them within
REPLY_EVENT_BYTES. A retry with the same request id builds the same reply from the command's
record: its positions, its count and its outcome, reading no more events than the reply lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.measurements import MetricMeasured
from projections.log_source import LoggedEvent
from service.api.event_pages import fitting
from service.api.mapping.events import logged_event_to_proto
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import events_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord
from service.store.event_limits import REPLY_EVENT_BYTES, REPLY_EVENTS


@dataclass(frozen=True)
class Appended:
    """The events a command appended, as its reply reports them."""

    count: int
    first_position: int
    last_position: int
    listed: list[events_pb2.LedgerEvent]

    @property
    def truncated(self) -> bool:
        """Whether the reply lists fewer events than were appended."""
        return len(self.listed) < self.count


def appended(events: Sequence[LoggedEvent]) -> Appended:
    """What a reply reports of the events a call just appended."""
    if not events:
        return Appended(0, 0, 0, [])
    listed = [logged_event_to_proto(e) for e in events[:REPLY_EVENTS]]
    kept = fitting(listed, REPLY_EVENT_BYTES)
    return Appended(len(events), events[0].position, events[-1].position, listed[:kept])


def appended_by(app: LedgerApplication, record: CommandRecord) -> Appended:
    """What a reply reports of the events a recorded command appended, reading only those the
    reply lists."""
    first, last = record.first_position, record.last_position
    count = record.appended_count
    if count is None:  # recorded before counts were kept
        count = app.event_log.count_between(first, last)
    listed: list[events_pb2.LedgerEvent] = []
    for chunk in app.event_log.chunks(first, min(count, REPLY_EVENTS)):
        for n in chunk:
            if n.position <= last:
                listed.append(logged_event_to_proto(LoggedEvent(n.position, n.event())))
    return Appended(count, first, last, listed[: fitting(listed, REPLY_EVENT_BYTES)])


def first_event(app: LedgerApplication, record: CommandRecord) -> LoggedEvent:
    """The first event a recorded command appended."""
    return app.event_log.event_at(record.first_position)


def measured_counts(app: LedgerApplication, record: CommandRecord) -> tuple[int, int]:
    """(readings recorded, of which late) by a recorded RecordMeasurements call."""
    outcome = record.request.outcome
    if "recorded" in outcome:
        return outcome["recorded"], outcome.get("late", 0)
    recorded = late = 0  # recorded before outcomes were kept: count from its events
    size = record.last_position - record.first_position + 1
    for chunk in app.event_log.chunks(record.first_position, size):
        for n in chunk:
            event = n.event()
            if n.position <= record.last_position and isinstance(event, MetricMeasured):
                recorded += len(event.observed_at_us)
                late += len(event.late_indexes)
    return recorded, late


def close_reply(events: Appended, more_due: bool, closed_count: int) -> pb.ClosePeriodResponse:
    """The reply of a ClosePeriod call."""
    return pb.ClosePeriodResponse(
        events=events.listed,
        log_position=events.last_position,
        appended_count=events.count,
        first_position=events.first_position,
        events_truncated=events.truncated,
        more_due=more_due,
        closed_count=closed_count,
    )


def close_replay(app: LedgerApplication, record: CommandRecord) -> pb.ClosePeriodResponse:
    """The reply of a retried ClosePeriod call, from its record."""
    outcome = record.request.outcome
    more_due, closed = bool(outcome.get("more_due", 0)), outcome.get("closed", -1)
    events = appended_by(app, record)
    if closed < 0:  # recorded before outcomes were kept
        closed = sum(e.HasField("period_closed") for e in events.listed)
    return close_reply(events, more_due, closed)


def recalculate_reply(events: Appended) -> pb.RecalculatePeriodResponse:
    """The reply of a RecalculatePeriod call."""
    return pb.RecalculatePeriodResponse(
        events=events.listed,
        log_position=events.last_position,
        appended_count=events.count,
        first_position=events.first_position,
        events_truncated=events.truncated,
    )
