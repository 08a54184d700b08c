"""Disputes: a customer contests a period result, an exclusion or a denied claim; the provider
resolves it, upheld or rejected, with a reason.

Each dispute has its own stream, agreement:<id>/dispute:<dispute_id> (identifiers.dispute_stream),
so the store's unique (stream, version) makes a second dispute of the same id impossible and a
second resolution of the same dispute lose the race. The opening names the ledger's last log
position when it was opened (log_position): both sides replay exactly what the ledger knew then
(ListEvents up to that position, GetCompliance known_at the opening's record time). What an
upheld or rejected dispute leads to (recalculation, a revoked or acknowledged exclusion, an
approved claim) is decided by the application and appended in the same transaction as the
resolution, right after it: compensation_count says how many events those are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate

from domain.errors import FailedPreconditionError, FieldViolation, Violations
from domain.identifiers import IDENTIFIER_RULE, dispute_stream, is_identifier
from domain.terms import MAX_TEXT_LENGTH


class SubjectKind(Enum):
    """What a dispute contests."""

    PERIOD_RESULT = "period_result"
    EXCLUSION = "exclusion"
    DENIED_CLAIM = "denied_claim"


class Outcome(Enum):
    """How the provider resolved a dispute."""

    UPHELD = "upheld"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DisputeSubject:
    """What is disputed: an objective-period's result or its denied claim (objective_id,
    period_label; customer_id the subscriber of a service SLA, "" otherwise), or an exclusion
    (exclusion_id; customer_id the subscriber disputing it on a service SLA)."""

    kind: SubjectKind
    objective_id: str = ""
    period_label: str = ""
    exclusion_id: str = ""
    customer_id: str = ""

    def violations(self, prefix: str = "subject") -> list[FieldViolation]:
        """Every rule of its shape the subject breaks (stored state is checked elsewhere)."""
        found = Violations()
        if self.kind is SubjectKind.EXCLUSION:
            if not is_identifier(self.exclusion_id):
                found.add(f"{prefix}.exclusion_id", IDENTIFIER_RULE)
            for name in ("objective_id", "period_label"):
                if getattr(self, name):
                    found.add(f"{prefix}.{name}", "an exclusion's dispute names no period")
        else:
            for name in ("objective_id", "period_label"):
                if not is_identifier(getattr(self, name)):
                    found.add(f"{prefix}.{name}", IDENTIFIER_RULE)
            if self.exclusion_id:
                found.add(f"{prefix}.exclusion_id", "only an exclusion's dispute names one")
        if self.customer_id and not is_identifier(self.customer_id):
            found.add(f"{prefix}.customer_id", IDENTIFIER_RULE)
        return list(found)

    def describe(self) -> str:
        """The subject in words, for refusals."""
        whose = f" of customer {self.customer_id}" if self.customer_id else ""
        if self.kind is SubjectKind.EXCLUSION:
            return f"exclusion {self.exclusion_id}{whose}"
        what = "denied claim" if self.kind is SubjectKind.DENIED_CLAIM else "result"
        return f"the {what} of period {self.period_label} of {self.objective_id}{whose}"


def text_violations(field: str, text: str, *, required: bool) -> list[FieldViolation]:
    """A reason or evidence: at most MAX_TEXT_LENGTH characters, not blank when required."""
    if len(text) > MAX_TEXT_LENGTH:
        return [FieldViolation(field, f"at most {MAX_TEXT_LENGTH} characters")]
    if required and not text.strip():
        return [FieldViolation(field, "a reason is required")]
    return []


class Dispute(BaseAggregate[str]):
    """One dispute of one agreement's customer about one subject."""

    @dataclass(frozen=True)
    class Event(CanMutateAggregate[str]):
        """Base of the dispute's events; timestamp is the record time."""

        originator_id: str
        originator_version: int
        timestamp: datetime

    @dataclass(frozen=True)
    class Opened(Event, CanInitAggregate[str]):
        """The customer disputed the subject, knowing the log up to log_position."""

        originator_topic: str
        agreement_id: str
        dispute_id: str
        subject_kind: str
        objective_id: str
        period_label: str
        exclusion_id: str
        subject_customer_id: str  # the subscriber whose period or exclusion, on a service SLA
        customer_id: str  # who disputes: the agreement's customer, or the subscriber
        reason: str
        evidence: str
        log_position: int

    @dataclass(frozen=True)
    class Resolved(Event):
        """The provider resolved the dispute, knowing the log up to log_position; the
        compensation_count events appended right after this one are what it led to."""

        outcome: str
        reason: str
        log_position: int
        _: KW_ONLY
        compensation_count: int = 0

        def apply(self, aggregate: Any) -> None:
            """Record the outcome."""
            assert isinstance(aggregate, Dispute)
            aggregate.outcome = Outcome(self.outcome)

    def __init__(
        self,
        agreement_id: str,
        dispute_id: str,
        subject_kind: str,
        objective_id: str,
        period_label: str,
        exclusion_id: str,
        subject_customer_id: str,
        customer_id: str,
        reason: str,
        evidence: str,
        log_position: int,
    ) -> None:
        self.agreement_id = agreement_id
        self.dispute_id = dispute_id
        self.subject = DisputeSubject(
            SubjectKind(subject_kind), objective_id, period_label, exclusion_id, subject_customer_id
        )
        self.customer_id = customer_id
        self.outcome: Outcome | None = None

    @classmethod
    def open(
        cls,
        agreement_id: str,
        dispute_id: str,
        subject: DisputeSubject,
        customer_id: str,
        reason: str,
        evidence: str,
        log_position: int,
        recorded_at: datetime,
        *,
        also: Iterable[FieldViolation] = (),
    ) -> Dispute:
        """A new dispute; InvalidArgumentError naming every rule its fields break (and the
        violations also found by the caller against stored state)."""
        violations = Violations()
        if not is_identifier(dispute_id):
            violations.add("dispute_id", IDENTIFIER_RULE)
        violations.extend(subject.violations())
        violations.extend(also)
        violations.extend(text_violations("reason", reason, required=True))
        violations.extend(text_violations("evidence", evidence, required=False))
        violations.raise_if_any()
        return cls._create(
            cls.Opened,
            id=dispute_stream(agreement_id, dispute_id),
            agreement_id=agreement_id,
            dispute_id=dispute_id,
            subject_kind=subject.kind.value,
            objective_id=subject.objective_id,
            period_label=subject.period_label,
            exclusion_id=subject.exclusion_id,
            subject_customer_id=subject.customer_id,
            customer_id=customer_id,
            reason=reason,
            evidence=evidence,
            log_position=log_position,
            timestamp=recorded_at,
        )

    @property
    def is_open(self) -> bool:
        """Whether the dispute awaits its resolution."""
        return self.outcome is None

    def resolve(
        self,
        outcome: Outcome,
        reason: str,
        log_position: int,
        recorded_at: datetime,
        compensation_count: int = 0,
    ) -> None:
        """Resolve the dispute; FailedPreconditionError when it was resolved already."""
        violations = Violations()
        violations.extend(text_violations("reason", reason, required=True))
        violations.raise_if_any()
        if self.outcome is not None:
            raise FailedPreconditionError(
                f"dispute {self.dispute_id} of {self.agreement_id} was resolved already "
                f"({self.outcome.value})"
            )
        self.trigger_event(
            self.Resolved,
            outcome=outcome.value,
            reason=reason,
            log_position=log_position,
            compensation_count=compensation_count,
            timestamp=recorded_at,
        )


DisputeOpened = Dispute.Opened
DisputeResolved = Dispute.Resolved


@dataclass(frozen=True)
class DisputeRecord:
    """A dispute as its stream tells it, with the log positions of its events."""

    agreement_id: str
    dispute_id: str
    subject: DisputeSubject
    customer_id: str
    reason: str
    evidence: str
    opened_at: datetime
    opened_log_position: int  # what the ledger knew when it was opened
    opened_position: int  # where DisputeOpened is in the log
    version: int
    outcome: Outcome | None = None
    resolution_reason: str = ""
    resolved_at: datetime | None = None
    resolved_log_position: int = 0
    resolved_position: int = 0
    compensation_count: int = 0

    @property
    def is_open(self) -> bool:
        """Whether the dispute awaits its resolution."""
        return self.outcome is None

    def open_at(self, known_at: datetime) -> bool:
        """Whether the dispute was opened, and not yet resolved, as known at known_at."""
        return self.opened_at <= known_at and (
            self.resolved_at is None or self.resolved_at > known_at
        )


def dispute_record(events: Iterable[tuple[int, Dispute.Event]]) -> DisputeRecord | None:
    """The record of one dispute from its (position, event) pairs in log order; None when the
    stream holds none."""
    record: DisputeRecord | None = None
    for position, event in events:
        if isinstance(event, Dispute.Opened):
            record = opened_record(position, event)
        elif isinstance(event, Dispute.Resolved) and record is not None:
            record = resolved_record(record, position, event)
    return record


def opened_record(position: int, event: Dispute.Opened) -> DisputeRecord:
    """The record of a dispute just opened."""
    return DisputeRecord(
        agreement_id=event.agreement_id,
        dispute_id=event.dispute_id,
        subject=DisputeSubject(
            SubjectKind(event.subject_kind),
            event.objective_id,
            event.period_label,
            event.exclusion_id,
            event.subject_customer_id,
        ),
        customer_id=event.customer_id,
        reason=event.reason,
        evidence=event.evidence,
        opened_at=event.timestamp,
        opened_log_position=event.log_position,
        opened_position=position,
        version=event.originator_version,
    )


def resolved_record(record: DisputeRecord, position: int, event: Dispute.Resolved) -> DisputeRecord:
    """The record after its resolution."""
    return DisputeRecord(
        **{
            **record.__dict__,
            "outcome": Outcome(event.outcome),
            "resolution_reason": event.reason,
            "resolved_at": event.timestamp,
            "resolved_log_position": event.log_position,
            "resolved_position": position,
            "compensation_count": event.compensation_count,
            "version": event.originator_version,
        }
    )
