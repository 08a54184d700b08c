"""The checks of acknowledging and revoking an agreement's exclusion (domain/agreement.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.errors import (
    FailedPreconditionError,
    FieldViolation,
    InvalidArgumentError,
    NotFoundError,
)
from domain.exclusion_standing import ExclusionStanding, RecordedExclusion
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import shown
from domain.resource_names import exclusion_name
from domain.terms import AgreementTerms


class _Terms(Protocol):
    @property
    def terms(self) -> AgreementTerms: ...


class HoldsExclusions(Protocol):
    """What the checks read of an agreement."""

    @property
    def agreement_id(self) -> str: ...

    @property
    def recorded_exclusions(self) -> Sequence[RecordedExclusion]: ...

    @property
    def current_terms(self) -> _Terms: ...


def exclusion_for(
    agreement: HoldsExclusions, exclusion_id: str, customer_id: str
) -> tuple[RecordedExclusion, str]:
    """The recorded exclusion and the customer its standing is kept for ("" for a
    customer-based agreement's customer, which may be named or left empty; a service SLA's
    subscriber must be named). NotFoundError or InvalidArgumentError."""
    recorded = agreement.recorded_exclusions
    found = next((r for r in recorded if r.exclusion.exclusion_id == exclusion_id), None)
    if found is None:
        raise NotFoundError(
            f"agreement {agreement.agreement_id} has no exclusion {shown(exclusion_id)}",
            resource_type="exclusion",
            resource_name=exclusion_name(agreement.agreement_id, exclusion_id),
        )
    terms = agreement.current_terms.terms
    if not terms.is_service_sla:
        if customer_id not in ("", terms.customer.party_id):
            rule = f"the agreement's customer is not {shown(customer_id)}"
            raise InvalidArgumentError([FieldViolation("customer_id", rule)])
        return found, ""
    if not is_identifier(customer_id):
        rule = f"a service SLA's exclusions are acknowledged per subscriber: {IDENTIFIER_RULE}"
        raise InvalidArgumentError([FieldViolation("customer_id", rule)])
    if found.exclusion.customer_id not in ("", customer_id):
        rule = f"exclusion {exclusion_id} is another customer's"
        raise InvalidArgumentError([FieldViolation("customer_id", rule)])
    return found, customer_id


def is_new_acknowledgement(recorded: RecordedExclusion, customer_id: str) -> bool:
    """Whether acknowledging for customer_id changes anything (False when done before);
    FailedPreconditionError when the exclusion needs no acknowledgement or was revoked."""
    exclusion_id = recorded.exclusion.exclusion_id
    if not recorded.acknowledgement_required:
        raise FailedPreconditionError(
            f"exclusion {exclusion_id} needs no acknowledgement: it counts already"
        )
    if recorded.standing(customer_id) is ExclusionStanding.REVOKED:
        raise FailedPreconditionError(f"exclusion {exclusion_id} was revoked")
    return customer_id not in recorded.acknowledged_for


def is_new_revocation(recorded: RecordedExclusion, customer_id: str, dispute_id: str) -> bool:
    """Whether revoking for customer_id changes anything (False when done before);
    InvalidArgumentError when dispute_id is not an identifier."""
    if not is_identifier(dispute_id):
        raise InvalidArgumentError([FieldViolation("dispute_id", IDENTIFIER_RULE)])
    return recorded.standing(customer_id) is not ExclusionStanding.REVOKED
