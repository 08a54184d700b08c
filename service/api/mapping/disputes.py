"""Disputes in the public schema: subjects, outcomes, states, records and the two events."""

from __future__ import annotations

from collections.abc import Sequence

from domain.disputes import Dispute, DisputeRecord, DisputeSubject, Outcome, SubjectKind
from domain.errors import Violations
from service.api.mapping.scalars import enum_from_proto, instant_to_proto
from service.generated.sla.ledger.v1 import compliance_pb2, disputes_pb2, events_pb2

SUBJECT_KINDS = {
    disputes_pb2.DISPUTE_SUBJECT_KIND_PERIOD_RESULT: SubjectKind.PERIOD_RESULT,
    disputes_pb2.DISPUTE_SUBJECT_KIND_EXCLUSION: SubjectKind.EXCLUSION,
    disputes_pb2.DISPUTE_SUBJECT_KIND_DENIED_CLAIM: SubjectKind.DENIED_CLAIM,
}
_KIND_NUMBERS = {kind: number for number, kind in SUBJECT_KINDS.items()}
OUTCOMES = {
    disputes_pb2.DISPUTE_OUTCOME_UPHELD: Outcome.UPHELD,
    disputes_pb2.DISPUTE_OUTCOME_REJECTED: Outcome.REJECTED,
}
_OUTCOME_NUMBERS = {outcome: number for number, outcome in OUTCOMES.items()}
# The state filter of ListDisputes: None for any, else open (None outcome) or an outcome.
STATES: dict[int, tuple[bool, Outcome | None] | None] = {
    disputes_pb2.DISPUTE_STATE_UNSPECIFIED: None,
    disputes_pb2.DISPUTE_STATE_OPEN: (True, None),
    disputes_pb2.DISPUTE_STATE_UPHELD: (False, Outcome.UPHELD),
    disputes_pb2.DISPUTE_STATE_REJECTED: (False, Outcome.REJECTED),
}


def subject_from_proto(
    message: disputes_pb2.DisputeSubject, path: str, violations: Violations
) -> DisputeSubject:
    """The subject a request names; a violation when its kind is not set."""
    kind = enum_from_proto(message.kind, SUBJECT_KINDS, f"{path}.kind", violations)
    return DisputeSubject(
        kind, message.objective_id, message.period_label, message.exclusion_id, message.customer_id
    )


def subject_to_proto(subject: DisputeSubject) -> disputes_pb2.DisputeSubject:
    """The public subject."""
    return disputes_pb2.DisputeSubject(
        kind=_KIND_NUMBERS[subject.kind],
        objective_id=subject.objective_id,
        period_label=subject.period_label,
        exclusion_id=subject.exclusion_id,
        customer_id=subject.customer_id,
    )


def state_of(record: DisputeRecord) -> disputes_pb2.DisputeState:
    """The DisputeState of a record."""
    if record.outcome is None:
        return disputes_pb2.DISPUTE_STATE_OPEN
    if record.outcome is Outcome.UPHELD:
        return disputes_pb2.DISPUTE_STATE_UPHELD
    return disputes_pb2.DISPUTE_STATE_REJECTED


def dispute_to_proto(record: DisputeRecord) -> disputes_pb2.Dispute:
    """The public Dispute of a record."""
    message = disputes_pb2.Dispute(
        agreement_id=record.agreement_id,
        dispute_id=record.dispute_id,
        subject=subject_to_proto(record.subject),
        customer_id=record.customer_id,
        reason=record.reason,
        evidence=record.evidence,
        opened_at=instant_to_proto(record.opened_at),
        opened_log_position=record.opened_log_position,
        opened_position=record.opened_position,
        state=state_of(record),
        resolution_reason=record.resolution_reason,
        resolved_log_position=record.resolved_log_position,
        resolved_position=record.resolved_position,
        compensation_count=record.compensation_count,
        version=record.version,
    )
    if record.resolved_at is not None:
        message.resolved_at.CopyFrom(instant_to_proto(record.resolved_at))
    return message


def dispute_event_into_proto(event: Dispute.Event, message: events_pb2.LedgerEvent) -> None:
    """Write a dispute event into the payload of a LedgerEvent."""
    dispute_id = event.originator_id.rsplit("/dispute:", 1)[-1]
    if isinstance(event, Dispute.Opened):
        opened = message.dispute_opened
        opened.dispute_id = dispute_id
        opened.subject.CopyFrom(
            subject_to_proto(
                DisputeSubject(
                    SubjectKind(event.subject_kind),
                    event.objective_id,
                    event.period_label,
                    event.exclusion_id,
                    event.subject_customer_id,
                )
            )
        )
        opened.customer_id = event.customer_id
        opened.reason = event.reason
        opened.evidence = event.evidence
        opened.log_position = event.log_position
    else:
        assert isinstance(event, Dispute.Resolved)
        resolved = message.dispute_resolved
        resolved.dispute_id = dispute_id
        resolved.outcome = _OUTCOME_NUMBERS[Outcome(event.outcome)]
        resolved.reason = event.reason
        resolved.log_position = event.log_position
        resolved.compensation_count = event.compensation_count


def mark_open_disputes(
    report: compliance_pb2.ComplianceReport, disputes: Sequence[DisputeRecord]
) -> None:
    """Show the open disputes in a report, and beside each result of the period they concern."""
    report.open_disputes.extend(dispute_to_proto(d) for d in disputes)
    by_period: dict[tuple[str, str], list[str]] = {}
    for dispute in disputes:
        if dispute.subject.kind is not SubjectKind.EXCLUSION:
            key = (dispute.subject.objective_id, dispute.subject.period_label)
            by_period.setdefault(key, []).append(dispute.dispute_id)
    for rows in (report.objectives, report.breaches, report.credits):
        for row in rows:
            row.open_dispute_ids.extend(by_period.get((row.objective_id, row.period_label), ()))
