"""The rules a signing must follow (domain/agreement.py Agreement.sign)."""

from __future__ import annotations

from datetime import datetime

from domain.errors import FieldViolation, Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.terms import MAX_TEXT_LENGTH, AgreementTerms, is_aware


def signing_violations(
    agreement_id: str,
    terms: AgreementTerms,
    signed_at: datetime | None,
    latest: datetime | None = None,
) -> list[FieldViolation]:
    """Every rule a signing breaks; signed_at may not be after latest (the clock plus the
    skew allowed). A None signed_at (refused already) is not checked."""
    violations = Violations()
    if not is_identifier(agreement_id):
        violations.add("agreement_id", IDENTIFIER_RULE)
    violations.extend(terms.violations())
    term_end = terms.term_end
    if signed_at is None:
        pass
    elif not is_aware(signed_at):
        violations.add("signed_at", "must carry a time zone")
    elif latest is not None and signed_at > latest:
        violations.add("signed_at", "is in the future, beyond the clock skew allowed")
    elif term_end is not None and is_aware(term_end) and signed_at > term_end:
        violations.add("signed_at", "must not be after terms.term_end")
    return list(violations)


def reason_violations(reason: str) -> list[FieldViolation]:
    """The violation of a termination's or cancellation's reason longer than MAX_TEXT_LENGTH."""
    if len(reason) > MAX_TEXT_LENGTH:
        return [FieldViolation("reason", f"at most {MAX_TEXT_LENGTH} characters")]
    return []
