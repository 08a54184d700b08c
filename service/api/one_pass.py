"""The rules a command checks after the shape of its request, for refusing in one pass.

The servicer refuses a request whose shape is wrong (a field missing, out of its range, not a
decimal) before the command runs. So that the refusal names every problem at once, it then also
runs the checks the command would have run, on the values it could read (placeholders where a
field was refused); Violations.raise_if_any leaves out what follows from a field already named.
Each function returns those checks, to be run only when the shape was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from domain.agreement import Agreement
from domain.errors import FieldViolation, InvalidArgumentError
from domain.exclusions import Exclusion
from domain.instants import to_epoch_us
from domain.measurements import Measurement, validate_batch
from domain.terms import AgreementTerms
from service.api.mapping.columns import in_request_paths
from service.app.application import LedgerApplication

Rules = Callable[[], Sequence[FieldViolation]]


def signing_rules(
    app: LedgerApplication, agreement_id: str, terms: AgreementTerms, signed_at: datetime | None
) -> Rules:
    """The checks of SignAgreement."""
    return lambda: Agreement.signing_violations(
        agreement_id, terms, signed_at, app.latest_business_instant()
    )


def amendment_rules(
    app: LedgerApplication,
    agreement_id: str,
    terms: AgreementTerms,
    effective_from: datetime | None,
    reason: str,
) -> Rules:
    """The checks of AmendAgreement (the terms alone when the agreement is unknown)."""

    def rules() -> Sequence[FieldViolation]:
        agreement = app.agreements.find_agreement(agreement_id)
        if agreement is None:
            return terms.violations()
        return agreement.amendment_violations(terms, effective_from, reason)

    return rules


def termination_rules(
    app: LedgerApplication, agreement_id: str, effective_at: datetime | None, reason: str
) -> Rules:
    """The checks of TerminateAgreement."""

    def rules() -> Sequence[FieldViolation]:
        agreement = app.agreements.find_agreement(agreement_id)
        return [] if agreement is None else agreement.termination_violations(effective_at, reason)

    return rules


def exclusion_rules(app: LedgerApplication, agreement_id: str, exclusion: Exclusion) -> Rules:
    """The checks of RecordExclusion."""

    def rules() -> Sequence[FieldViolation]:
        agreement = app.agreements.find_agreement(agreement_id)
        return [] if agreement is None else agreement.exclusion_violations(exclusion)

    return rules


def reading_rules(
    app: LedgerApplication,
    agreement_id: str,
    readings: Sequence[Measurement],
    row_count: int,
    block_sizes: Sequence[int],
) -> Rules:
    """The checks of RecordMeasurements on the readings that could be read, named by their
    paths in the request."""

    def rules() -> Sequence[FieldViolation]:
        agreement = app.agreements.find_agreement(agreement_id)
        if agreement is None or not readings:
            return []
        latest_us = to_epoch_us(app.latest_business_instant())
        try:
            validate_batch(agreement, agreement_id, readings, latest_us)
        except InvalidArgumentError as refused:
            return in_request_paths(refused.violations, row_count, block_sizes)
        return []

    return rules
