"""Disputes: a customer opens one about a period result, an exclusion or a denied claim; the
provider resolves it, and what an upheld (or rejected) dispute implies is appended with the
resolution in one transaction (service/app/dispute_effects.py).

The rules are the domain's (domain/disputes.py). The opening names the ledger's head as the log
position it knew. Resolving takes an expected version (the dispute's stream version: 1 while
open); two resolutions racing meet at the dispute stream's version 2, so one wins and the other
is ABORTED (with an expected version) or FAILED_PRECONDITION (resolved already). A concurrent
recalculation of a period the resolution compensates makes the save fail on the period stream's
version: the effects are derived again from the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement
from domain.disputes import Dispute, DisputeRecord, DisputeSubject, Outcome, dispute_record
from domain.errors import (
    AlreadyExistsError,
    FieldViolation,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    Reason,
    VersionConflictError,
    unknown_agreement,
)
from domain.identifiers import dispute_stream, dispute_stream_range, is_identifier
from domain.resource_names import dispute_name
from service.app.commands import MAX_RECORDING_ATTEMPTS
from service.app.dispute_effects import check_subject_state, resolution_effects
from service.store.command_requests import CommandRecord, CommandRequest
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication


@dataclass(frozen=True)
class Resolution:
    """What a resolution appended: the dispute resolved, where its events are, how many."""

    dispute: DisputeRecord
    first_position: int
    last_position: int
    appended_count: int


class Disputes:
    """Open and resolve disputes, and read them back from the log."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def open(
        self,
        agreement_id: str,
        dispute_id: str,
        subject: DisputeSubject,
        reason: str,
        evidence: str,
        *,
        request: CommandRequest | None = None,
    ) -> DisputeRecord:
        """Open a dispute about subject; the record of its opening."""
        app = self._app
        with self._answered_once(request):
            agreement = self._agreement(agreement_id)
            dispute = Dispute.open(
                agreement_id,
                dispute_id,
                subject,
                self._disputer(agreement, subject),
                reason,
                evidence,
                app.event_log.head(),
                app.now(),
                also=_subject_fit(agreement, subject),
            )
            check_subject_state(app, agreement, subject)
            try:
                app.save(dispute, extras=AppendExtras(command_request=request))
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
                raise AlreadyExistsError(
                    f"dispute {dispute_id} of agreement {agreement_id} exists"
                ) from None
        return self.get(agreement_id, dispute_id)

    def resolve(
        self,
        agreement_id: str,
        dispute_id: str,
        outcome: Outcome,
        reason: str,
        *,
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> Resolution:
        """Resolve an open dispute and append what its outcome implies, in one transaction."""
        app = self._app
        for _ in range(MAX_RECORDING_ATTEMPTS):
            with self._answered_once(request):
                dispute = self._for_change(agreement_id, dispute_id, expected_version)
                agreement = self._agreement(agreement_id)
                now = max(app.now(), dispute.modified_on)
                head = app.event_log.head()
                if dispute.is_open:
                    effects = resolution_effects(app, agreement, dispute, outcome, reason, now)
                else:
                    effects = []
                dispute.resolve(outcome, reason, head, now, compensation_count=len(effects))
                events: list[Any] = [*dispute.collect_events(), *effects]
                try:
                    recordings = app.save(*events, extras=AppendExtras(command_request=request))
                except IntegrityError:
                    app.idempotency.raise_if_carried_out(request)
                    continue  # another resolution, or a change of a period it compensates
            positions = [r.notification.id for r in recordings]
            return Resolution(
                self.get(agreement_id, dispute_id), positions[0], positions[-1], len(positions)
            )
        raise VersionConflictError(
            f"concurrent writers kept changing dispute {dispute_id} or what it compensates; retry"
        )

    def get(self, agreement_id: str, dispute_id: str) -> DisputeRecord:
        """The dispute as recorded now; NotFoundError when there is none."""
        record = None
        if is_identifier(agreement_id) and is_identifier(dispute_id):
            log = self._app.event_log
            stream = dispute_stream(agreement_id, dispute_id)
            record = dispute_record(
                (n.id, log.decode(n)) for n in log.stream_notifications([stream])
            )
        if record is None:
            raise NotFoundError(
                f"agreement {agreement_id} has no dispute {dispute_id!r}",
                resource_type="dispute",
                resource_name=dispute_name(agreement_id, dispute_id),
            )
        return record

    def of_agreement(self, agreement_id: str, up_to: int) -> list[DisputeRecord]:
        """Every dispute of an agreement from the events up to log position up_to, in the order
        they were opened."""
        log = self._app.event_log
        streams = log.streams_begun([dispute_stream_range(agreement_id)])
        if not streams:
            return []
        grouped: dict[str, list[tuple[int, Any]]] = {}
        for n in log.stream_notifications(streams):
            if n.id <= up_to:
                grouped.setdefault(str(n.originator_id), []).append((n.id, log.decode(n)))
        records = [r for events in grouped.values() if (r := dispute_record(events)) is not None]
        return sorted(records, key=lambda r: r.opened_position)

    def open_at(
        self, agreement_id: str, customer_id: str, known_at: datetime, up_to: int
    ) -> list[DisputeRecord]:
        """The disputes of an agreement open at known_at (of the subscriber customer_id, when
        named), from the events up to log position up_to."""
        return [
            r
            for r in self.of_agreement(agreement_id, up_to)
            if r.open_at(known_at) and (not customer_id or r.subject.customer_id == customer_id)
        ]

    def carried_out(self, record: CommandRecord) -> tuple[DisputeRecord, int]:
        """The dispute as an opening or resolution carried out under a request id left it, and
        the log position of the first event it appended (the reply a retry gets)."""
        first = self._app.event_log.event_at(record.first_position)
        event = cast(Dispute.Event, first.event)
        stream = event.originator_id
        log = self._app.event_log
        pairs = [
            (n.id, log.decode(n))
            for n in log.stream_notifications([stream])
            if n.id <= record.first_position
        ]
        found = dispute_record(pairs)
        assert found is not None
        return found, record.first_position

    @contextmanager
    def _answered_once(self, request: CommandRequest | None) -> Iterator[None]:
        """A refusal met by a retry whose request was carried out meanwhile becomes that
        request's answer (RequestCarriedOutError)."""
        try:
            yield
        except LedgerError:
            self._app.idempotency.raise_if_carried_out(request)
            raise

    def _agreement(self, agreement_id: str) -> Agreement:
        agreement = self._app.agreements.find_agreement(agreement_id)
        if agreement is None:
            raise unknown_agreement(agreement_id)
        return agreement

    @staticmethod
    def _disputer(agreement: Agreement, subject: DisputeSubject) -> str:
        """Who disputes: a service SLA's subscriber, or the agreement's customer."""
        if agreement.current_terms.terms.is_service_sla:
            return subject.customer_id
        return agreement.current_terms.terms.customer.party_id

    def _for_change(
        self, agreement_id: str, dispute_id: str, expected_version: int | None
    ) -> Dispute:
        dispute = None
        if is_identifier(agreement_id) and is_identifier(dispute_id):
            try:
                stream = dispute_stream(agreement_id, dispute_id)
                dispute = cast(Dispute, self._app.repository.get(stream))
            except AggregateNotFoundError:
                dispute = None
        if dispute is None:
            raise NotFoundError(
                f"agreement {agreement_id} has no dispute {dispute_id!r}",
                resource_type="dispute",
                resource_name=dispute_name(agreement_id, dispute_id),
            )
        if expected_version is not None and expected_version != dispute.version:
            raise VersionConflictError(
                f"dispute {dispute_id} of {agreement_id} is at version {dispute.version}, not "
                f"the expected {expected_version}; read it again",
                reason=Reason.EXPECTED_VERSION_MISMATCH,
            )
        return dispute


def _subject_fit(agreement: Agreement, subject: DisputeSubject) -> list[FieldViolation]:
    """The rules a subject breaks against the agreement's terms: a service SLA's subject names
    its subscriber (and only there), a period's objective and label are the agreement's."""
    found: list[FieldViolation] = []
    if agreement.current_terms.terms.is_service_sla:
        if not subject.customer_id:
            found.append(
                FieldViolation(
                    "subject.customer_id", "a service SLA's disputes name the subscriber"
                )
            )
    elif subject.customer_id:
        found.append(
            FieldViolation("subject.customer_id", "only a service SLA's disputes name a customer")
        )
    if subject.objective_id and subject.period_label and is_identifier(subject.objective_id):
        try:
            agreement.check_period_label(subject.objective_id, subject.period_label)
        except InvalidArgumentError as refused:
            found.extend(
                FieldViolation(f"subject.{v.field}", v.description) for v in refused.violations
            )
    return found
