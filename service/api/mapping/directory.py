"""AgreementSummary (domain/agreement_directory.py) to its ListAgreements message."""

from __future__ import annotations

from domain.agreement_directory import AgreementSummary
from service.api.mapping.scalars import instant_to_proto
from service.api.mapping.terms import KIND_TO_PROTO, party_to_proto
from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import terms_pb2


def summary_to_proto(summary: AgreementSummary) -> discovery_pb.AgreementSummary:
    """The AgreementSummary message of a summary."""
    message = discovery_pb.AgreementSummary(
        agreement_id=summary.agreement_id,
        kind=KIND_TO_PROTO[summary.kind],
        provider=party_to_proto(summary.provider),
        services=summary.services,
        status=(
            terms_pb2.AGREEMENT_STATUS_TERMINATED
            if summary.terminated
            else terms_pb2.AGREEMENT_STATUS_ACTIVE
        ),
        terms_version=summary.terms_version,
        term_start=instant_to_proto(summary.term_start),
        objective_ids=summary.objective_ids,
        tier_ids=summary.tier_ids,
        signed_recorded_at=instant_to_proto(summary.signed_recorded_at),
    )
    if summary.customer is not None:
        message.customer.CopyFrom(party_to_proto(summary.customer))
    if summary.term_end is not None:
        message.term_end.CopyFrom(instant_to_proto(summary.term_end))
    if summary.terminated_at is not None:
        message.terminated_at.CopyFrom(instant_to_proto(summary.terminated_at))
    return message
