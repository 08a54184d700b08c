"""Refusing at the door a payload whose event would be larger than an event may be.

Terms can be far larger than an event may take within the input limits alone (200 objectives
with 4,096-character descriptions): they are measured exactly, in the stored state and in the
public schema, before anything is appended. Every other event is small by the input limits (an
exclusion names each of the agreement's objectives at most once).
"""

from __future__ import annotations

from domain.errors import Violations
from domain.terms import AgreementTerms
from service.api.mapping.terms import terms_to_proto
from service.api.one_pass import Rules
from service.app.application import LedgerApplication
from service.store.event_limits import refuse_oversized_payload


def check_terms_size(
    app: LedgerApplication, terms: AgreementTerms, path: str, rules: Rules
) -> None:
    """Refuse (INVALID_ARGUMENT naming path) well-formed terms too large for their event; terms
    that break one of the command's rules are left to that rule's refusal, which names more."""
    if rules():
        return
    violations = Violations()
    public = terms_to_proto(terms).ByteSize()
    refuse_oversized_payload(path, app.stored_bytes(terms), public, violations)
    violations.raise_if_any()
