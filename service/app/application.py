"""The ledger's eventsourcing Application, and its parts: each capability in its own module.

The application records events (with the acting identity) and holds the parts every call goes
through: commands, subscriptions, ingest, compliance, agreements, the hash chain's audit, the
request-id records, and the one reader of the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, Recording

from service.app.actors import current_actor
from service.app.agreements import Agreements
from service.app.case_list import CaseList
from service.app.cases import Cases
from service.app.claims import Claims
from service.app.commands import Commands
from service.app.compliance_queries import ComplianceQueries
from service.app.compliance_series import SeriesQueries
from service.app.disputes import Disputes
from service.app.event_log import EventLog
from service.app.exclusion_acknowledgements import ExclusionAcknowledgements
from service.app.idempotency import Idempotency
from service.app.ingest import Ingest
from service.app.ledger_audit import LedgerAudit
from service.app.period_history import PeriodHistory
from service.app.subscriptions import Subscriptions
from service.store.event_limits import BoundedMapper
from service.store.ledger_recorder import LedgerRecorder
from service.store.transcodings import register_domain_transcodings

DEFAULT_MAX_CLOCK_SKEW = timedelta(minutes=5)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant in UTC: the ledger's record clock."""
    return datetime.now(UTC)


class LedgerApplication(Application[str]):
    """Commands append events to the ledger; reads replay them."""

    name = "SLALedger"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        clock: Clock = utc_now,
        max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW,
    ) -> None:
        self._clock = clock
        self.max_clock_skew = max_clock_skew
        # Told how many events each save committed (the metrics set it; nothing by default).
        self.on_events_appended: Callable[[int], None] = _ignore_count
        super().__init__(env=dict(env or {}))
        self.event_log = EventLog(self.ledger_recorder, self.mapper)
        self.agreements = Agreements(self.repository, self.events, self.event_log)
        self.idempotency = Idempotency(self.ledger_recorder, self.event_log)
        self.commands = Commands(self)
        self.exclusion_acknowledgements = ExclusionAcknowledgements(self)
        self.subscriptions = Subscriptions(self)
        self.claims = Claims(self)
        self.ingest = Ingest(self)
        self.cases = Cases(self)
        self.case_list = CaseList(self)
        self.disputes = Disputes(self)
        self.compliance = ComplianceQueries(self.event_log)
        self.period_history = PeriodHistory(self.event_log)
        self.series = SeriesQueries(self.event_log)
        self.audit = LedgerAudit(self.ledger_recorder, self.env, self._clock, self.event_log)

    def construct_mapper(self) -> Mapper[str]:
        """The library's mapper, refusing to store an event larger than an event may be."""
        return self.factory.mapper(self.construct_transcoder(), mapper_class=BoundedMapper)

    def stored_bytes(self, value: Any) -> int:
        """The bytes value takes in a stored event's state."""
        return len(self.mapper.transcoder.encode(value))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings plus the domain's value objects."""
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    @property
    def ledger_recorder(self) -> LedgerRecorder:
        """The recorder, with the ledger's own queries."""
        return cast(LedgerRecorder, self.recorder)

    def is_ready(self) -> bool:
        """Whether the event store answers."""
        self.recorder.max_notification_id()
        return True

    def now(self) -> datetime:
        """The record clock's current instant."""
        return self._clock()

    def latest_business_instant(self) -> datetime:
        """The latest business instant a signing or a reading may name now."""
        return self._clock() + self.max_clock_skew

    def save_events(
        self, events: Sequence[DomainEventProtocol[str]], **kwargs: Any
    ) -> list[Recording[str]]:
        """Save new events (of no aggregate) as save does, without its check of each object
        against the library's runtime protocols (a third of a 10,000-event save)."""
        processing_event: ProcessingEvent[str] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._notify(recordings)
        return recordings

    def _record(self, processing_event: ProcessingEvent[str]) -> list[Recording[str]]:
        """Record the events with the acting identity, as the ledger records their time."""
        actor = current_actor.get()
        for event in processing_event.events:
            object.__setattr__(event, "actor", actor)  # stored with the event's state
        recordings = super()._record(processing_event)
        self.on_events_appended(len(recordings))  # committed by now
        return recordings


def _ignore_count(_count: int) -> None:
    """The events-appended observer of an application without metrics."""
