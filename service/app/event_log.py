"""The event log as the application reads it: the one reader of the log's rows.

Every read of stored events goes through an EventLog: commands, compliance, replies that list
appended events, pages of the audit trail, subscriptions and the read models (as a
projections.log_source.LogSource). It decodes with the application's mapper.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Mapper, Notification, StoredEvent

from domain.agreement import Agreement
from domain.case_milestones import CaseMilestoneRecorded
from domain.identifiers import case_stream, is_identifier
from domain.measurements import MetricMeasured
from projections.log_source import LoggedEvent, LoggedNotification
from projections.waiting import wait_until_reached
from service.store.case_index import CaseRow
from service.store.ledger_recorder import LedgerRecorder
from service.store.log_reads import (
    latest_close,
    notification_chunks,
    result_streams,
    subscription_streams,
)

PAGE = 1000


class EventLog:
    """Reads the ledger's log: positions, pages, streams and chunks, decoded on demand."""

    def __init__(self, recorder: LedgerRecorder, mapper: Mapper[str]) -> None:
        self._recorder = recorder
        self._mapper = mapper

    def head(self) -> int:
        """The position of the newest entry, 0 for an empty log."""
        return self._recorder.max_notification_id() or 0

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until the log holds position; False when timeout seconds pass first."""
        return wait_until_reached(self.head, position, timeout)

    def decode(self, notification: StoredEvent) -> Any:
        """The domain event a stored event holds."""
        return self._mapper.to_domain_event(notification)

    def read_log(self, after: int, limit: int) -> list[LoggedNotification]:
        """Up to limit entries of the log after a position, decoded only when asked."""
        return [
            LoggedNotification(n, self.decode)
            for n in self._recorder.select_notifications(start=after + 1, limit=limit)
        ]

    def notifications(
        self, start: int, limit: int, topics: Sequence[str] = ()
    ) -> Sequence[Notification]:
        """Up to limit stored events from position start, of some topics (none for all)."""
        return self._recorder.select_notifications(start=start, limit=limit, topics=topics)

    def event_at(self, position: int) -> LoggedEvent:
        """The event at a log position."""
        [notification] = self._recorder.select_notifications(start=position, limit=1)
        return LoggedEvent(notification.id, self.decode(notification))

    def list_events(self, agreement_id: str, after: int, limit: int) -> list[LoggedEvent]:
        """Up to limit events after log position after, of one agreement or ('') all."""
        notifications: Sequence[Notification]
        if agreement_id:
            notifications = self._recorder.select_agreement_notifications(
                agreement_id, after + 1, limit
            )
        else:
            notifications = self._recorder.select_notifications(start=after + 1, limit=limit)
        return [LoggedEvent(n.id, self.decode(n)) for n in notifications]

    def agreement_events(self, agreement_id: str) -> list[Any]:
        """Every event of an agreement, in log order."""
        if not is_identifier(agreement_id):
            return []
        events: list[Any] = []
        after = 0
        while True:
            page = self.list_events(agreement_id, after, PAGE)
            events.extend(logged.event for logged in page)
            if len(page) < PAGE:
                return events
            after = page[-1].position

    def stream_events(self, streams: set[str], head: int) -> list[tuple[int, Any]]:
        """(position, event) of every event of the streams up to head, in log order."""
        return [
            (n.id, self.decode(n))
            for n in self._recorder.select_stream_notifications(sorted(streams))
            if n.id <= head
        ]

    def stream_notifications(
        self, streams: Sequence[str], excluding: Collection[int] = ()
    ) -> Sequence[Notification]:
        """The stored events of the streams, in log order, but those at positions excluding."""
        return self._recorder.select_stream_notifications(streams, excluding=excluding)

    def stream_heads(self, streams: Sequence[str]) -> dict[str, int]:
        """The version of the newest event of each of the streams that has one."""
        return self._recorder.stream_heads(list(streams))

    def events_spanning(self, asked: Mapping[str, tuple[int, int]]) -> Iterator[MetricMeasured]:
        """The MetricMeasured events of the day streams whose readings span into each
        stream's (first, last) µs."""
        for stored in self._recorder.events_spanning(asked):
            event = self.decode(stored)
            assert isinstance(event, MetricMeasured)
            yield event

    def chunks(
        self, start: int, limit: int, agreement_id: str = "", topics: Sequence[str] = ()
    ) -> Iterator[list[LoggedNotification]]:
        """Up to limit entries from position start, of one agreement ('' for all) or else of
        some topics (none for all), in chunks that fit in memory (service.store.log_reads)."""
        for chunk in notification_chunks(self._recorder, start, limit, agreement_id, topics):
            yield [LoggedNotification(n, self.decode) for n in chunk]

    def count_between(self, first: int, last: int) -> int:
        """How many events the log holds at positions first to last."""
        return self._recorder.count_between(first, last)

    def result_streams(self, agreement_id: str, agreement: Agreement, as_of: datetime) -> set[str]:
        """The agreement's period streams that may hold results of periods ended by as_of
        (agreement is its newest state), found from the stream names."""
        return result_streams(self._recorder, agreement_id, agreement, as_of)

    def latest_close(self, agreement_id: str, objective_id: str) -> tuple[int, str] | None:
        """(log position, stream) of the objective's PeriodClosed recorded last, if any."""
        return latest_close(self._recorder, agreement_id, objective_id)

    def subscription_streams(self, agreement_id: str) -> list[str]:
        """The names of a service SLA's subscription streams, in name order."""
        return subscription_streams(self._recorder, agreement_id)

    def last_begun(self, low: str, high: str) -> tuple[int, str] | None:
        """(log position, name) of the stream of the name range [low, high) begun last."""
        return self._recorder.last_begun(low, high)

    def streams_begun(self, ranges: Iterable[tuple[str, str]]) -> list[str]:
        """The names of the streams begun within each name range [low, high)."""
        return self._recorder.streams_begun(ranges)

    def case_ids(
        self,
        agreement_id: str,
        start_us: int,
        cutoff_us: int,
        known_at_us: int,
        after: str = "",
        limit: int = PAGE,
    ) -> list[str]:
        """One page (up to limit, after the id after, in id order) of the ids of the agreement's
        cases that may be judged in a window [start_us, cutoff_us) as known at known_at_us,
        from the case index (service/store/case_index.py): a superset of those judged in it."""
        return self._recorder.case_candidates(
            agreement_id, start_us, cutoff_us, known_at_us, after, limit
        )

    def all_case_ids(
        self, agreement_id: str, start_us: int, cutoff_us: int, known_at_us: int
    ) -> Iterator[str]:
        """Every id case_ids gives, read a page at a time."""
        after = ""
        while True:
            page = self.case_ids(agreement_id, start_us, cutoff_us, known_at_us, after)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1]

    def case_rows(self, agreement_id: str, after: str = "", limit: int = PAGE) -> list[CaseRow]:
        """One page of the case index rows of the agreement (after the id after, in id order)."""
        return self._recorder.case_rows(agreement_id, after, limit)

    def case_events(
        self, agreement_id: str, case_ids: Iterable[str], head: int | None = None
    ) -> dict[str, list[LoggedEvent]]:
        """The milestones recorded in each named case's stream (up to position head), in
        record order, by case id; a case without any is left out. One read for all streams."""
        streams = sorted({case_stream(agreement_id, case_id) for case_id in case_ids})
        found: dict[str, list[LoggedEvent]] = {}
        if not streams:
            return found
        for n in self._recorder.select_stream_notifications(streams):
            if head is not None and n.id > head:
                continue
            event = self.decode(n)
            if isinstance(event, CaseMilestoneRecorded):
                found.setdefault(event.case_id, []).append(LoggedEvent(n.id, event))
        return found
