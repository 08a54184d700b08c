"""The ledger's eventsourcing Application: one method per command, and the reads it serves."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    Recording,
)
from eventsourcing.utils import get_topic

from domain.agreement import Agreement, AgreementStanding, replay_agreement
from domain.agreement_history import AgreementHistory, fold_history
from domain.compliance import TrackResult
from domain.compliance_streams import window_day_streams
from domain.errors import (
    AlreadyExistsError,
    FieldViolation,
    InvalidArgumentError,
    NotFoundError,
    VersionConflictError,
    unknown_agreement,
)
from domain.exclusions import Exclusion
from domain.identifiers import agreement_of_stream, agreement_stream, is_identifier
from domain.instants import to_epoch_us
from domain.lateness import late_indexes, reading_period_streams
from domain.measurements import (
    Measurement,
    MetricMeasured,
    deduplicate,
    group_by_stream,
    measured_events,
    time_slice_event_span,
    time_slice_span,
    time_slices,
    validate_batch,
    without_time_slices,
)
from domain.oracle import ComplianceReport, compliance_report, current_windows, replay_compliance
from domain.period_closing import (
    recalculate_period,
)
from domain.period_results import PeriodEvent
from domain.period_walk import DuePeriod
from domain.rollups import WindowPlan, evaluate_rollups, span_of, summarize_event
from domain.terms import AgreementTerms
from projections.log_source import LoggedEvent
from service.app.actors import current_actor
from service.app.closing_plans import MAX_PERIODS_PER_CLOSE, ClosedPeriods, plan_close
from service.app.rollup_reads import RollupSource, window_events
from service.store.chain_verification import verify_storage
from service.store.command_requests import (
    CommandRecord,
    CommandRequest,
    RequestCarriedOutError,
    with_outcome,
)
from service.store.event_limits import BoundedMapper
from service.store.ledger_chain import Adoption, Digest, Verification
from service.store.log_reads import result_streams
from service.store.measurement_keys import measurement_keys
from service.store.recorders import LedgerPostgresRecorder, LedgerSQLiteRecorder
from service.store.transcodings import register_domain_transcodings

MAX_RECORDING_ATTEMPTS = 5
DEFAULT_MAX_CLOCK_SKEW = timedelta(minutes=5)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant in UTC: the ledger's record clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Appended:
    """What a command appended: the agreement's new version and the last log position."""

    version: int
    log_position: int


@dataclass(frozen=True)
class RecordedBatch:
    """What a RecordMeasurements call added."""

    recorded_count: int
    duplicate_count: int
    log_position: int
    late_count: int = 0


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
        self._max_clock_skew = max_clock_skew
        super().__init__(env=dict(env or {}))

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
    def ledger_recorder(self) -> LedgerSQLiteRecorder | LedgerPostgresRecorder:
        """The recorder, with the ledger's own queries."""
        return cast(LedgerSQLiteRecorder | LedgerPostgresRecorder, self.recorder)

    def is_ready(self) -> bool:
        """Whether the event store answers."""
        self.recorder.max_notification_id()
        return True

    # Commands

    def sign_agreement(
        self,
        agreement_id: str,
        terms: AgreementTerms,
        signed_at: datetime,
        *,
        request: CommandRequest | None = None,
    ) -> tuple[AgreementStanding, int]:
        """Sign a new agreement; its standing at signing and the log position."""
        now = self._clock()
        agreement = Agreement.sign(
            agreement_id, terms, signed_at, recorded_at=now, latest=now + self._max_clock_skew
        )
        try:
            recordings = self.save(agreement, command_request=request)
        except IntegrityError:
            self._raise_if_carried_out(request)
            raise AlreadyExistsError(f"agreement {agreement_id} already exists") from None
        return agreement.standing_at(signed_at), recordings[-1].notification.id

    def amend_agreement(
        self,
        agreement_id: str,
        terms: AgreementTerms,
        effective_from: datetime,
        *,
        retroactive: bool = False,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> tuple[Appended, int]:
        """Replace the terms from effective_from; what was appended and the new terms version."""
        agreement = self._agreement_for_change(agreement_id, expected_version)
        agreement.amend(terms, effective_from, retroactive, reason, self._record_time(agreement))
        return self._save_change(agreement, request), agreement.current_terms.number

    def terminate_agreement(
        self,
        agreement_id: str,
        effective_at: datetime,
        *,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> Appended:
        """End the agreement at effective_at."""
        agreement = self._agreement_for_change(agreement_id, expected_version)
        agreement.terminate(effective_at, reason, self._record_time(agreement))
        return self._save_change(agreement, request)

    def record_measurements(
        self,
        agreement_id: str,
        batch: Sequence[Measurement],
        *,
        request: CommandRequest | None = None,
    ) -> RecordedBatch:
        """Record the new readings of a batch in one transaction; count the duplicates."""
        agreement = self.find_agreement(agreement_id)
        latest = to_epoch_us(self.latest_business_instant())
        validate_batch(agreement, agreement_id, batch, latest)
        assert agreement is not None
        keys = measurement_keys(agreement_id, batch)
        recorder = self.ledger_recorder
        for _ in range(MAX_RECORDING_ATTEMPTS):
            fresh = deduplicate(batch, keys, recorder.recorded_keys(keys))
            groups = group_by_stream(agreement_id, fresh.readings)
            heads = recorder.stream_heads(list(groups))
            recorded = self._recorded_time_slices(groups, heads)
            if recorded:
                fresh = without_time_slices(fresh, recorded)
                groups = group_by_stream(agreement_id, fresh.readings)
            if not fresh.readings:
                return RecordedBatch(0, fresh.duplicate_count, 0)
            period_streams = reading_period_streams(agreement, groups)
            candidates = sorted({p for periods in period_streams.values() for p in periods})
            late = late_indexes(period_streams, set(recorder.stream_heads(candidates)))
            events = measured_events(agreement_id, groups, heads, self._clock(), late)
            spans = [
                (e.originator_id, e.originator_version, *span)
                for e in events
                if (span := time_slice_event_span(e)) is not None
            ]
            try:
                late_count = sum(len(indexes) for indexes in late.values())
                recordings = self.save(
                    *events,
                    measurement_keys=fresh.client_keys,
                    measured_spans=spans,
                    command_request=with_outcome(
                        request, recorded=len(fresh.readings), late=late_count
                    ),
                )
            except IntegrityError:
                self._raise_if_carried_out(request)
                continue  # a concurrent batch wrote to one of these streams first: look again
            return RecordedBatch(
                len(fresh.readings),
                fresh.duplicate_count,
                recordings[-1].notification.id,
                late_count,
            )
        raise VersionConflictError(
            "concurrent batches kept recording the same readings; retry the call"
        )

    def _recorded_time_slices(
        self, groups: Mapping[str, Sequence[Measurement]], heads: Mapping[str, int]
    ) -> set[tuple[str, int]]:
        """The time-slice identities already recorded in the day streams a batch writes to,
        read from the events whose time-slice readings span into the batch's."""
        asked = {
            stream: span
            for stream, readings in groups.items()
            if stream in heads and (span := time_slice_span(readings)) is not None
        }
        if not asked:
            return set()
        recorded: set[tuple[str, int]] = set()
        for stored in self.ledger_recorder.events_spanning(asked):
            event = self.mapper.to_domain_event(stored)
            assert isinstance(event, MetricMeasured)
            recorded |= time_slices(event)
        return recorded

    def record_exclusion(
        self, agreement_id: str, exclusion: Exclusion, *, request: CommandRequest | None = None
    ) -> tuple[bool, int]:
        """Record an exclusion; (False, 0) when the same one was recorded before."""
        agreement = self._agreement_for_change(agreement_id, None)
        if not agreement.record_exclusion(exclusion, self._record_time(agreement)):
            return False, 0
        return True, self._save_change(agreement, request).log_position

    def close_periods(
        self,
        agreement_id: str,
        until: datetime,
        *,
        request: CommandRequest | None = None,
        limit: int = MAX_PERIODS_PER_CLOSE,
    ) -> ClosedPeriods:
        """Close the oldest due objective-periods of the agreement that ended by until: at most
        limit of them (see service.app.closing_plans); more_due says when more are due."""
        if until > self._clock():
            raise InvalidArgumentError(
                [FieldViolation("until", "periods cannot be closed before they end")]
            )
        for _ in range(MAX_RECORDING_ATTEMPTS):
            agreement = self.find_agreement(agreement_id)
            if agreement is None:
                raise NotFoundError(f"agreement {agreement_id} does not exist")
            plan = plan_close(
                self.ledger_recorder, self.mapper, agreement, until, self._clock(), limit
            )
            if not plan.events:
                return ClosedPeriods([], False, 0)
            once = with_outcome(request, closed=plan.closed_count, more_due=int(plan.more_due))
            try:
                recordings = self.save(*plan.events, command_request=once)
            except IntegrityError:
                self._raise_if_carried_out(request)
                continue  # a concurrent closer appended first; look again
            logged = [
                LoggedEvent(r.notification.id, e)
                for r, e in zip(recordings, plan.events, strict=True)
            ]
            return ClosedPeriods(logged, plan.more_due, plan.closed_count)
        raise VersionConflictError("concurrent closers kept closing the same periods; retry")

    def recalculate_period(
        self,
        agreement_id: str,
        objective_id: str,
        period_label: str,
        *,
        request: CommandRequest | None = None,
    ) -> list[LoggedEvent]:
        """Re-evaluate a closed period with what is known now; the compensations appended."""

        def compensations(history: AgreementHistory, now: datetime) -> list[PeriodEvent]:
            history.agreement.check_period_label(objective_id, period_label)
            if history.period(objective_id, period_label) is None:
                raise NotFoundError(
                    f"period {period_label} of objective {objective_id!r} is not closed"
                )
            return recalculate_period(history, objective_id, period_label, now)

        return self._append_derived(agreement_id, compensations, request)

    def agreement_ids(self, after: int = 0) -> tuple[list[str], int]:
        """Ids of agreements signed after log position after, and the last position scanned."""
        topic = get_topic(Agreement.Signed)
        found: list[str] = []
        position = after
        while True:
            page = self.recorder.select_notifications(
                start=position + 1, limit=1000, topics=[topic]
            )
            found.extend(agreement_of_stream(str(n.originator_id)) for n in page)
            if len(page) < 1000:
                return found, max([position, *(n.id for n in page)])
            position = page[-1].id

    # Reads

    def customer_of(self, agreement_id: str) -> str:
        """The customer of an agreement under its newest terms; NOT_FOUND when unknown."""
        agreement = self.find_agreement(agreement_id)
        if agreement is None:
            raise unknown_agreement(agreement_id)
        return agreement.current_terms.terms.customer.party_id

    def compliance(
        self, agreement_id: str, objective_id: str, as_of: datetime, known_at: datetime
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report at (as_of, known_at), replaying only the streams it needs, and
        the log position it reflects."""
        head, own, states = self._agreement_log(agreement_id)
        streams = result_streams(
            self.ledger_recorder, agreement_id, states[-1], as_of
        ) | window_day_streams(states, as_of)
        logged = self._merged(own, self._stream_events(streams, head))
        return replay_compliance(
            (e for _, e in logged), as_of, known_at, objective_id or None
        ), head

    def compliance_from_rollups(
        self,
        agreement_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report at (as_of, known_at) from rollups, and the log position it reflects.

        Whole buckets come from the rollups projection; readings are decoded only for the
        buckets rollups cannot answer and for events the projection has not reached yet.
        """
        head, own, states = self._agreement_log(agreement_id)
        results = result_streams(self.ledger_recorder, agreement_id, states[-1], as_of)
        logged = self._merged(own, self._stream_events(results, head))
        history = fold_history(e for _, e in logged if e.timestamp <= known_at)
        if history is None:
            raise NotFoundError(f"no agreement was recorded by {known_at.isoformat()}")
        windows = current_windows(history, as_of, objective_id or None)
        plans = {
            current.objective.objective_id: WindowPlan(
                current.objective,
                current.window_start,
                current.window_end,
                history.exclusions,
                current.terms.terms.time_zone,
                as_of,
            )
            for current in windows
        }
        _, rolled_up = rollups.window_rollups(
            agreement_id,
            [(oid, plan.start_us, plan.end_us) for oid, plan in plans.items()],
            to_epoch_us(known_at),
            head,
        )
        spans = {oid: [span for _, span in found] for oid, found in rolled_up.items()}
        covered = {p for found in rolled_up.values() for p, _ in found}
        readings: dict[str, list[Measurement]] = {oid: [] for oid in plans}
        for event_position, event in window_events(
            self.ledger_recorder, self.mapper, agreement_id, plans, covered, head
        ):
            if event.timestamp > known_at:
                continue
            readings[event.objective_id].extend(event.measurements())
            if event_position not in covered:  # sparse, or beyond the projection
                spans[event.objective_id].append(span_of(summarize_event(event)))

        def from_rollups(current: DuePeriod) -> list[TrackResult]:
            oid = current.objective.objective_id
            return evaluate_rollups(plans[oid], spans[oid], readings[oid])

        report = compliance_report(
            history, as_of, known_at, objective_id or None, from_rollups, windows
        )
        return report, head

    def _agreement_log(
        self, agreement_id: str
    ) -> tuple[int, list[tuple[int, Any]], list[Agreement]]:
        """The log's head, the agreement's own (position, event) pairs up to it, and the
        agreement after each of its events but exclusions (which never change its streams)."""
        if not is_identifier(agreement_id):
            raise NotFoundError(f"agreement {agreement_id!r} does not exist")
        head = self.recorder.max_notification_id() or 0
        own = self._stream_events({agreement_stream(agreement_id)}, head)
        if not own:
            raise NotFoundError(f"agreement {agreement_id!r} does not exist")
        events = [cast(Agreement.Event, e) for _, e in own]
        states = [
            replay_agreement(events[: i + 1])
            for i, event in enumerate(events)
            if not isinstance(event, Agreement.ExclusionRecorded)
        ]
        return head, own, [s for s in states if s is not None]

    def _stream_events(self, streams: set[str], head: int) -> list[tuple[int, Any]]:
        """(position, event) of every event of the streams up to head, in log order."""
        return [
            (n.id, self.mapper.to_domain_event(n))
            for n in self.ledger_recorder.select_stream_notifications(sorted(streams))
            if n.id <= head
        ]

    @staticmethod
    def _merged(*logs: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        return sorted((pair for log in logs for pair in log), key=lambda pair: pair[0])

    def compliance_by_full_replay(
        self, agreement_id: str, objective_id: str, as_of: datetime, known_at: datetime
    ) -> ComplianceReport:
        """The replay oracle over every event of the agreement: the reference answer."""
        events = self.agreement_events(agreement_id)
        if not events:
            raise NotFoundError(f"agreement {agreement_id!r} does not exist")
        return replay_compliance(events, as_of, known_at, objective_id or None)

    def agreement_events(self, agreement_id: str) -> list[Any]:
        """Every event of an agreement, in log order."""
        if not is_identifier(agreement_id):
            return []
        events: list[Any] = []
        after = 0
        while True:
            page = self.list_events(agreement_id, after, 1000)
            events.extend(logged.event for logged in page)
            if len(page) < 1000:
                return events
            after = page[-1].position

    def agreement_at(
        self, agreement_id: str, as_of: datetime, known_at: datetime
    ) -> AgreementStanding:
        """The agreement in force at as_of, from the events recorded by known_at."""
        if not is_identifier(agreement_id):
            raise NotFoundError(f"agreement {agreement_id!r} does not exist")
        events = cast(Iterable[Agreement.Event], self.events.get(agreement_stream(agreement_id)))
        agreement = replay_agreement(
            itertools.takewhile(lambda event: event.timestamp <= known_at, events)
        )
        if agreement is None:
            raise NotFoundError(
                f"agreement {agreement_id} was not recorded by {known_at.isoformat()}"
            )
        return agreement.standing_at(as_of)

    def list_events(self, agreement_id: str, after: int, limit: int) -> list[LoggedEvent]:
        """Up to limit events after log position after, of one agreement or ('') all."""
        notifications: Sequence[Notification]
        if agreement_id:
            notifications = self.ledger_recorder.select_agreement_notifications(
                agreement_id, after + 1, limit
            )
        else:
            notifications = self.recorder.select_notifications(start=after + 1, limit=limit)
        return [LoggedEvent(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    # The hash chain

    def ledger_digest(self) -> Digest:
        """The position and hash of the last event of the hash chain."""
        return self.ledger_recorder.chain_head()

    def verify_ledger(
        self, after: int = 0, up_to: int = 0, expected: Digest | None = None
    ) -> Verification:
        """Verify the log against the hash chain over (after, up_to], read-only
        (service.store.chain_verification.verify_log)."""
        return verify_storage(self.env, after, up_to, expected)

    def adopt_chain(self, by: str) -> Adoption:
        """Chain a log written before the chain existed: once, recorded with who and when."""
        return self.ledger_recorder.adopt_chain(by, self._clock())

    # Helpers

    def latest_business_instant(self) -> datetime:
        """The latest business instant a signing or a reading may name now."""
        return self._clock() + self._max_clock_skew

    def find_agreement(self, agreement_id: str) -> Agreement | None:
        """The agreement as recorded now; None when there is none."""
        if not is_identifier(agreement_id):
            return None
        try:
            return cast(Agreement, self.repository.get(agreement_stream(agreement_id)))
        except AggregateNotFoundError:
            return None

    def _agreement_for_change(self, agreement_id: str, expected_version: int | None) -> Agreement:
        agreement = self.find_agreement(agreement_id)
        if agreement is None:
            raise NotFoundError(f"agreement {agreement_id} does not exist")
        if expected_version is not None and expected_version != agreement.version:
            raise VersionConflictError(
                f"agreement {agreement_id} is at version {agreement.version}, "
                f"not the expected {expected_version}; read it again"
            )
        return agreement

    def _append_derived(
        self,
        agreement_id: str,
        derive: Callable[[AgreementHistory, datetime], list[PeriodEvent]],
        request: CommandRequest | None = None,
    ) -> list[LoggedEvent]:
        for _ in range(MAX_RECORDING_ATTEMPTS):
            history = fold_history(self.agreement_events(agreement_id))
            if history is None:
                raise NotFoundError(f"agreement {agreement_id} does not exist")
            events = derive(history, self._clock())
            if not events:
                return []
            try:
                recordings = self.save(*events, command_request=request)
            except IntegrityError:
                self._raise_if_carried_out(request)
                continue  # a concurrent closer appended first; derive again from the log
            return [
                LoggedEvent(r.notification.id, e) for r, e in zip(recordings, events, strict=True)
            ]
        raise VersionConflictError("concurrent writers kept changing the periods; retry")

    def _record(self, processing_event: ProcessingEvent[str]) -> list[Recording[str]]:
        """Record the events with the acting identity, as the ledger records their time."""
        actor = current_actor.get()
        for event in processing_event.events:
            object.__setattr__(event, "actor", actor)  # stored with the event's state
        return super()._record(processing_event)

    def _record_time(self, agreement: Agreement) -> datetime:
        # Record time never goes backwards within a stream, even if the host clock does.
        return max(self._clock(), agreement.modified_on)

    def _save_change(self, agreement: Agreement, request: CommandRequest | None) -> Appended:
        try:
            recordings = self.save(agreement, command_request=request)
        except IntegrityError:
            self._raise_if_carried_out(request)
            raise VersionConflictError(
                f"agreement {agreement.agreement_id} was changed concurrently; read it again"
            ) from None
        return Appended(agreement.version, recordings[-1].notification.id)

    def command_record(self, key: str) -> CommandRecord | None:
        """What the command stored under this request key (CommandRequest.key) appended, if it
        was carried out."""
        return self.ledger_recorder.command_record(key)

    def _raise_if_carried_out(self, request: CommandRequest | None) -> None:
        """After a conflict: if it was a concurrent call with the same request id, say so."""
        if request is not None:
            record = self.command_record(request.key)
            if record is not None:
                raise RequestCarriedOutError(record)
