"""Recording measurements: a batch's new readings in one transaction, its duplicates counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement
from domain.errors import VersionConflictError
from domain.instants import to_epoch_us
from domain.lateness import late_indexes, reading_period_streams
from domain.measurements import (
    Measurement,
    deduplicate,
    group_by_stream,
    measured_events,
    time_slice_event_span,
    time_slice_span,
    time_slices,
    validate_batch,
    without_time_slices,
)
from service.app.commands import MAX_RECORDING_ATTEMPTS
from service.app.late_readings import service_late_indexes
from service.store.command_requests import CommandRequest, with_outcome
from service.store.ledger_recorder import AppendExtras
from service.store.measurement_keys import measurement_keys

if TYPE_CHECKING:
    from service.app.application import LedgerApplication


@dataclass(frozen=True)
class RecordedBatch:
    """What a RecordMeasurements call added."""

    recorded_count: int
    duplicate_count: int
    log_position: int
    late_count: int = 0


class Ingest:
    """Records batches of readings."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def record_measurements(
        self,
        agreement_id: str,
        batch: Sequence[Measurement],
        *,
        request: CommandRequest | None = None,
    ) -> RecordedBatch:
        """Record the new readings of a batch in one transaction; count the duplicates."""
        app = self._app
        agreement = app.agreements.find_agreement(agreement_id)
        latest = to_epoch_us(app.latest_business_instant())
        validate_batch(agreement, agreement_id, batch, latest)
        assert agreement is not None
        keys = measurement_keys(agreement_id, batch)
        recorder = app.ledger_recorder
        log = app.event_log
        for _ in range(MAX_RECORDING_ATTEMPTS):
            fresh = deduplicate(batch, keys, recorder.recorded_keys(keys))
            groups = group_by_stream(agreement_id, fresh.readings)
            heads = log.stream_heads(list(groups))
            recorded = self._recorded_time_slices(groups, heads)
            if recorded:
                fresh = without_time_slices(fresh, recorded)
                groups = group_by_stream(agreement_id, fresh.readings)
            if not fresh.readings:
                return RecordedBatch(0, fresh.duplicate_count, 0)
            late = self._late_indexes(agreement, groups)
            events = measured_events(agreement_id, groups, heads, app.now(), late)
            spans = [
                (e.originator_id, e.originator_version, *span)
                for e in events
                if (span := time_slice_event_span(e)) is not None
            ]
            try:
                late_count = sum(len(indexes) for indexes in late.values())
                recordings = app.save(
                    *events,
                    extras=AppendExtras(
                        measurement_keys=fresh.client_keys,
                        measured_spans=spans,
                        command_request=with_outcome(
                            request, recorded=len(fresh.readings), late=late_count
                        ),
                    ),
                )
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
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

    def _late_indexes(
        self, agreement: Agreement, groups: Mapping[str, Sequence[Measurement]]
    ) -> dict[str, list[int]]:
        """The late readings of each measurement stream: in a period already closed
        (domain/lateness.py), for a service SLA for at least one subscriber
        (service/app/late_readings.py)."""
        if agreement.current_terms.terms.is_service_sla:
            return service_late_indexes(self._app.ledger_recorder, agreement, groups)
        period_streams = reading_period_streams(agreement, groups)
        candidates = sorted({p for periods in period_streams.values() for p in periods})
        return late_indexes(period_streams, set(self._app.event_log.stream_heads(candidates)))

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
        for event in self._app.event_log.events_spanning(asked):
            recorded |= time_slices(event)
        return recorded
