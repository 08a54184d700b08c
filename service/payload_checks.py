"""Refusing at the door a payload whose event would be larger than an event may be.

Terms can be far larger than an event may take within the input limits alone (200 objectives
with 4,096-character descriptions), and an exclusion may list its objectives many times over;
both are measured exactly, in the stored state and in the public schema, before anything is
appended. Every other event is small by the input limits.
"""

from __future__ import annotations

from domain.errors import Violations
from domain.exclusions import Exclusion
from domain.terms import AgreementTerms
from service.application import LedgerApplication
from service.event_limits import refuse_oversized_payload
from service.generated.sla.ledger.v1 import terms_pb2
from service.mapping import terms_to_proto
from service.mapping_semantics import exclusion_into_proto


def check_terms_size(
    app: LedgerApplication, terms: AgreementTerms, path: str, violations: Violations
) -> None:
    """Name path in violations when the terms are too large for their event."""
    if violations:
        return  # malformed terms are refused anyway, and may not map back to a message
    public = terms_to_proto(terms).ByteSize()
    refuse_oversized_payload(path, app.stored_bytes(terms), public, violations)


def check_exclusion_size(
    app: LedgerApplication, exclusion: Exclusion, path: str, violations: Violations
) -> None:
    """Name path in violations when the exclusion is too large for its event."""
    if violations:
        return
    message = terms_pb2.Exclusion()
    exclusion_into_proto(exclusion, message)
    refuse_oversized_payload(path, app.stored_bytes(exclusion), message.ByteSize(), violations)
