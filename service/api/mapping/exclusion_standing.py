"""Exclusion rules, recorded exclusions and their acknowledgements, in and out of messages."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.internal.containers import RepeatedCompositeFieldContainer

from domain.agreement import Agreement
from domain.exclusion_rules import ExclusionRules
from domain.exclusion_standing import ExclusionStanding, RecordedExclusion
from service.api.mapping.exclusions import exclusion_into_proto
from service.api.mapping.scalars import instant_to_proto
from service.generated.sla.ledger.v1 import (
    events_pb2,
    exclusion_acknowledgements_pb2,
    exclusion_rules_pb2,
)

STANDING_TO_PROTO = {
    ExclusionStanding.COUNTS: exclusion_rules_pb2.EXCLUSION_STANDING_COUNTS,
    ExclusionStanding.AWAITING_ACKNOWLEDGEMENT: (
        exclusion_rules_pb2.EXCLUSION_STANDING_AWAITING_ACKNOWLEDGEMENT
    ),
    ExclusionStanding.ACKNOWLEDGED: exclusion_rules_pb2.EXCLUSION_STANDING_ACKNOWLEDGED,
    ExclusionStanding.REVOKED: exclusion_rules_pb2.EXCLUSION_STANDING_REVOKED,
}


def exclusion_rules_from_proto(message: exclusion_rules_pb2.ExclusionRules) -> ExclusionRules:
    """The terms' exclusion rules from their message (ranges are the terms' checks)."""
    return ExclusionRules(
        maintenance_notice_hours=(
            message.maintenance_notice_hours
            if message.HasField("maintenance_notice_hours")
            else None
        ),
        acknowledgement_after_days=(
            message.acknowledgement_after_days
            if message.HasField("acknowledgement_after_days")
            else None
        ),
    )


def exclusion_rules_into_proto(
    rules: ExclusionRules, out: exclusion_rules_pb2.ExclusionRules
) -> None:
    """Write the terms' exclusion rules into their message."""
    if rules.maintenance_notice_hours is not None:
        out.maintenance_notice_hours = rules.maintenance_notice_hours
    if rules.acknowledgement_after_days is not None:
        out.acknowledgement_after_days = rules.acknowledgement_after_days


def recorded_exclusion_into_proto(
    recorded: RecordedExclusion,
    out: exclusion_acknowledgements_pb2.RecordedExclusion,
    subscribers: frozenset[str] | None = None,
) -> None:
    """Write a recorded exclusion, its record lag and its standing into its message: for the
    customer it names, else for the agreement's customer (a service SLA's: the service as a
    whole; to a caller that sees it only through its subscribers, for its one subscriber when it
    has one, and naming no other subscriber)."""
    exclusion_into_proto(recorded.exclusion, out.exclusion)
    out.recorded_at.CopyFrom(instant_to_proto(recorded.recorded_at))
    out.record_lag.FromTimedelta(recorded.record_lag)
    out.acknowledgement_required = recorded.acknowledgement_required
    whose = recorded.exclusion.customer_id
    if not whose and subscribers is not None and len(subscribers) == 1:
        whose = next(iter(subscribers))
    out.standing = STANDING_TO_PROTO[recorded.standing(whose)]
    acknowledged, revoked = recorded.acknowledged_for - {""}, recorded.revoked_for - {""}
    if subscribers is not None:
        acknowledged, revoked = acknowledged & subscribers, revoked & subscribers
    out.acknowledged_customer_ids.extend(sorted(acknowledged))
    out.revoked_customer_ids.extend(sorted(revoked))


def exclusions_into_proto(
    exclusions: Iterable[RecordedExclusion],
    out: RepeatedCompositeFieldContainer[exclusion_acknowledgements_pb2.RecordedExclusion],
    subscribers: frozenset[str] | None = None,
) -> None:
    """Write the recorded exclusions a caller sees (all; or, seeing a service SLA through its
    subscribers, the service's own and theirs) into a repeated field."""
    for recorded in exclusions:
        named = recorded.exclusion.customer_id
        if subscribers is None or not named or named in subscribers:
            recorded_exclusion_into_proto(recorded, out.add(), subscribers)


def exclusion_event_into_proto(event: Agreement.Event, message: events_pb2.LedgerEvent) -> None:
    """Write an exclusion event of an agreement into the payload of a LedgerEvent."""
    if isinstance(event, Agreement.ExclusionRecorded):
        recorded = message.exclusion_recorded
        exclusion_into_proto(event.exclusion, recorded.exclusion)
        recorded.acknowledgement_required = event.acknowledgement_required
        recorded.record_lag.FromTimedelta(event.timestamp - event.exclusion.end)
        recorded.standing = STANDING_TO_PROTO[
            ExclusionStanding.AWAITING_ACKNOWLEDGEMENT
            if event.acknowledgement_required
            else ExclusionStanding.COUNTS
        ]
    elif isinstance(event, Agreement.ExclusionAcknowledged):
        acknowledged = message.exclusion_acknowledged
        acknowledged.exclusion_id = event.exclusion_id
        acknowledged.customer_id = event.customer_id
        acknowledged.dispute_id = event.dispute_id
    elif isinstance(event, Agreement.ExclusionRevoked):
        revoked = message.exclusion_revoked
        revoked.exclusion_id = event.exclusion_id
        revoked.dispute_id = event.dispute_id
        revoked.customer_id = event.customer_id
    else:  # pragma: no cover - called for the three exclusion events only
        raise TypeError(f"not an exclusion event: {type(event).__name__}")
