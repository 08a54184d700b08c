"""Exclusions: the windows left out of compliance, in and out of their messages."""

from __future__ import annotations

from datetime import datetime

from domain.errors import Violations
from domain.exclusions import Exclusion, ExclusionKind
from service.api.mapping.scalars import PLACEHOLDER_INSTANT
from service.generated.sla.ledger.v1 import terms_pb2

EXCLUSION_KIND_FROM_PROTO = {
    terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE: ExclusionKind.SCHEDULED_MAINTENANCE,
    terms_pb2.EXCLUSION_KIND_CUSTOMER_CAUSED: ExclusionKind.CUSTOMER_CAUSED,
    terms_pb2.EXCLUSION_KIND_FORCE_MAJEURE: ExclusionKind.FORCE_MAJEURE,
    terms_pb2.EXCLUSION_KIND_OTHER: ExclusionKind.OTHER,
}


EXCLUSION_KIND_TO_PROTO = {v: k for k, v in EXCLUSION_KIND_FROM_PROTO.items()}


def exclusion_from_proto(
    e: terms_pb2.Exclusion, start: datetime | None, end: datetime | None, violations: Violations
) -> Exclusion:
    """The domain exclusion of a message (instants converted by the caller)."""
    kind = EXCLUSION_KIND_FROM_PROTO.get(e.kind)
    if kind is None:
        violations.add("exclusion.kind", "must be set to a known value")
        kind = ExclusionKind.OTHER
    return Exclusion(
        exclusion_id=e.exclusion_id,
        start=start or PLACEHOLDER_INSTANT,
        end=end or PLACEHOLDER_INSTANT,
        kind=kind,
        reason=e.reason,
        evidence=e.evidence,
        objective_ids=tuple(e.objective_ids),
        customer_id=e.customer_id,
    )


def exclusion_into_proto(exclusion: Exclusion, e: terms_pb2.Exclusion) -> None:
    """Write an exclusion into its message."""
    e.exclusion_id = exclusion.exclusion_id
    e.start.FromDatetime(exclusion.start)
    e.end.FromDatetime(exclusion.end)
    e.kind = EXCLUSION_KIND_TO_PROTO[exclusion.kind]
    e.reason = exclusion.reason
    e.evidence = exclusion.evidence
    e.objective_ids.extend(exclusion.objective_ids)
    e.customer_id = exclusion.customer_id
