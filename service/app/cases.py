"""Cases: recording a batch of milestones in one transaction, and a case's timeline and clocks.

record mirrors Ingest.record_measurements: the agreement must exist, instants may not pass the
clock skew, the touched cases' streams are read in one go and the batch is judged against what
they hold (domain/case_timeline.py validate_case_batch: refused whole, or its new milestones),
milestones in closed periods are marked late, and the new events are saved at each case
stream's next versions with the cases' index rows (service/store/case_index.py). A concurrent
writer of the same case makes the save fail on the stream's version: the batch is judged again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement, TermsVersion
from domain.case_milestones import (
    MAX_CASE_BATCH,
    CaseMilestoneRecorded,
    Milestone,
    MilestoneKind,
    milestone_events,
)
from domain.case_readings import ClockReading, read_clock
from domain.case_timeline import NewMilestones, case_state, validate_case_batch
from domain.errors import NotFoundError, VersionConflictError
from domain.identifiers import agreement_stream, is_identifier
from domain.instants import from_epoch_us, to_epoch_us
from domain.known_at import agreement_known_at, recorded_by
from domain.lateness import milestone_period_streams
from domain.resource_names import agreement_name, case_name
from projections.log_source import LoggedEvent
from service.app.case_views import CaseView, RecordedCaseEvents, RecordedMilestone
from service.app.commands import MAX_RECORDING_ATTEMPTS
from service.store.case_index import CaseRow, case_row
from service.store.command_requests import CommandRecord, CommandRequest, with_outcome
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication

_LABELLED = (MilestoneKind.OPENED, MilestoneKind.RELABELED)


class Cases:
    """Records case milestones and reads cases back."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def record(
        self,
        agreement_id: str,
        milestones: Sequence[Milestone],
        *,
        request: CommandRequest | None = None,
    ) -> RecordedCaseEvents:
        """Record the new milestones of a batch in one transaction; count duplicates and late
        ones. The whole batch is refused when any milestone is bad."""
        app = self._app
        agreement = app.agreements.find_agreement(agreement_id)
        latest = to_epoch_us(app.latest_business_instant())
        if agreement is None or not 0 < len(milestones) <= MAX_CASE_BATCH:
            # Refused before any stream is read.
            validate_case_batch(agreement is not None, agreement_id, milestones, {}, latest)
        assert agreement is not None
        case_ids = sorted({m.case_id for m in milestones if is_identifier(m.case_id)})
        for _ in range(MAX_RECORDING_ATTEMPTS):
            loaded = app.event_log.case_events(agreement_id, case_ids)
            recorded = {
                case_id: [_event(e).milestone() for e in events]
                for case_id, events in loaded.items()
            }
            fresh = validate_case_batch(True, agreement_id, milestones, recorded, latest)
            if not fresh.milestones:
                return RecordedCaseEvents(0, fresh.duplicate_count, 0, 0)
            late = self._late_flags(agreement, fresh.milestones)
            now = max([app.now(), *(_event(e).timestamp for es in loaded.values() for e in es)])
            events = _recorded_events(agreement_id, fresh, loaded, late, now)
            rows = _index_rows(agreement_id, fresh, loaded, to_epoch_us(now))
            late_count = sum(late)
            once = with_outcome(request, new=len(events), late=late_count)
            try:
                recordings = app.save_events(
                    events, extras=AppendExtras(case_rows=rows, command_request=once)
                )
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
                continue  # a concurrent batch wrote to one of these cases first: look again
            return RecordedCaseEvents(
                len(events), fresh.duplicate_count, late_count, recordings[-1].notification.id
            )
        raise VersionConflictError(
            "concurrent batches kept recording milestones of the same cases; retry the call"
        )

    @staticmethod
    def replayed(record: CommandRecord, batch_size: int) -> RecordedCaseEvents:
        """The reply a RecordCaseEvents call carried out under a request id first gave, rebuilt
        from its record (batch_size: how many milestones the retried call holds)."""
        outcome = record.request.outcome
        new = outcome.get("new", record.appended_count or 0)
        late = outcome.get("late", 0)
        return RecordedCaseEvents(new, batch_size - new, late, record.last_position)

    def get_case(
        self,
        agreement_id: str,
        case_id: str,
        as_of: datetime,
        known_at: datetime,
        at_risk_percent: int,
    ) -> CaseView:
        """The case at as_of as known at known_at: its milestones up to as_of in business
        order, and the clock of each case objective of the terms in force at as_of whose label
        scope holds it. NotFoundError for an unknown agreement or case (at those instants)."""
        if not (is_identifier(agreement_id) and is_identifier(case_id)):
            raise NotFoundError(
                f"case {case_id!r} of agreement {agreement_id!r} does not exist",
                resource_type="case",
                resource_name=case_name(agreement_id, case_id),
            )
        log = self._app.event_log
        head = log.head()
        own = log.stream_events({agreement_stream(agreement_id)}, head)
        agreement = agreement_known_at((cast(Agreement.Event, e) for _, e in own), known_at)
        if agreement is None:
            raise NotFoundError(
                f"agreement {agreement_id} was not recorded by {known_at.isoformat()}",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        logged = log.case_events(agreement_id, [case_id], head).get(case_id, [])
        known = sorted(
            (e for e in logged if recorded_by(e.event, known_at)),
            key=lambda e: _event(e).occurred_at_us,
        )
        as_of_us = to_epoch_us(as_of)
        shown = [e for e in known if _event(e).occurred_at_us <= as_of_us]
        if not shown:
            when = "was not recorded by known_at" if not known else "was not opened by as_of"
            raise NotFoundError(
                f"case {case_id} of agreement {agreement_id} {when}",
                resource_type="case",
                resource_name=case_name(agreement_id, case_id),
            )
        timeline = [_event(e).milestone() for e in known]
        until_as_of = timeline[: len(shown)]
        terms = agreement.terms_in_force(as_of)
        return CaseView(
            agreement_id=agreement_id,
            case_id=case_id,
            as_of=as_of,
            known_at=known_at,
            terms_version=terms.number,
            state=case_state(until_as_of),
            labels=_labels(until_as_of),
            opened_at=from_epoch_us(until_as_of[0].occurred_at_us),
            milestones=tuple(_recorded_milestone(e) for e in shown),
            clocks=_clocks(timeline, terms, as_of_us, at_risk_percent),
            log_position=head,
        )

    def _late_flags(self, agreement: Agreement, milestones: Sequence[Milestone]) -> list[bool]:
        """Whether each milestone falls in a closed period of a case objective."""
        periods = milestone_period_streams(agreement, [m.occurred_at_us for m in milestones])
        candidates = sorted({p for names in periods for p in names})
        closed = set(self._app.event_log.stream_heads(candidates)) if candidates else set()
        return [not names.isdisjoint(closed) for names in periods]


def _event(logged: LoggedEvent) -> CaseMilestoneRecorded:
    return cast(CaseMilestoneRecorded, logged.event)


def _recorded_events(
    agreement_id: str,
    fresh: NewMilestones,
    loaded: Mapping[str, Sequence[LoggedEvent]],
    late: Sequence[bool],
    now: datetime,
) -> list[CaseMilestoneRecorded]:
    """One event per new milestone, at its case stream's next version, in batch order."""
    heads = {
        case_id: max(_event(e).originator_version for e in events)
        for case_id, events in loaded.items()
    }
    return milestone_events(agreement_id, fresh.milestones, heads, now, late)


def _index_rows(
    agreement_id: str,
    fresh: NewMilestones,
    loaded: Mapping[str, Sequence[LoggedEvent]],
    now_us: int,
) -> list[CaseRow]:
    """The index row of every case the new milestones touch, from its whole timeline."""
    timelines: dict[str, list[tuple[Milestone, int]]] = {}
    for m in fresh.milestones:
        if m.case_id not in timelines:
            timelines[m.case_id] = [
                (_event(e).milestone(), to_epoch_us(_event(e).timestamp))
                for e in loaded.get(m.case_id, ())
            ]
        timelines[m.case_id].append((m, now_us))
    return [case_row(agreement_id, case_id, pairs) for case_id, pairs in timelines.items()]


def _labels(timeline: Iterable[Milestone]) -> dict[str, str]:
    """The labels in force at the end of a sorted timeline."""
    labels: dict[str, str] = {}
    for m in timeline:
        if m.kind in _LABELLED and m.labels is not None:
            labels = dict(m.labels)
    return labels


def _recorded_milestone(logged: LoggedEvent) -> RecordedMilestone:
    event = _event(logged)
    return RecordedMilestone(event.milestone(), event.timestamp, event.late, logged.position)


def _clocks(
    timeline: Sequence[Milestone], terms: TermsVersion, at_us: int, at_risk_percent: int
) -> tuple[ClockReading, ...]:
    """The clock of each case objective of the terms whose label scope holds the case."""
    readings = []
    for objective in terms.terms.objectives:
        if objective.rules.case_clock is None:
            continue
        reading = read_clock(timeline, objective, terms.terms.time_zone, at_us, at_risk_percent)
        if reading is not None and reading.in_scope:
            readings.append(reading)
    return tuple(readings)
