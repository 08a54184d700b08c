"""The inputs of the commands, read from their requests and refused in one pass when malformed.

Each function reads a request's fields into what its command takes, collecting every shape
problem, and raises INVALID_ARGUMENT naming them all (with the command's own rules, see
one_pass) before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from domain.case_milestones import Milestone
from domain.errors import InvalidArgumentError, Violations
from domain.exclusions import Exclusion
from domain.measurements import Measurement
from domain.terms import AgreementTerms
from service.api import one_pass
from service.api.mapping.cases import in_request_names, milestones_from_proto
from service.api.mapping.columns import in_request_paths, readings_from_columns
from service.api.mapping.exclusions import exclusion_from_proto
from service.api.mapping.measurements import measurements_from_proto
from service.api.mapping.scalars import instant_from_proto, position_from_proto
from service.api.mapping.terms import terms_from_proto
from service.api.payload_checks import check_terms_size
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb


@dataclass(frozen=True)
class Signing:
    """What SignAgreement signs."""

    terms: AgreementTerms
    signed_at: datetime


@dataclass(frozen=True)
class Amendment:
    """What AmendAgreement amends with."""

    terms: AgreementTerms
    effective_from: datetime
    expected_version: int | None


@dataclass(frozen=True)
class Termination:
    """When TerminateAgreement ends an agreement."""

    effective_at: datetime
    expected_version: int | None


@dataclass(frozen=True)
class Readings:
    """The readings of RecordMeasurements: the rows, then each column block's readings."""

    readings: list[Measurement]
    row_count: int
    block_sizes: Sequence[int]

    @contextmanager
    def named_in_request(self) -> Iterator[None]:
        """Refusals of these readings raised inside name each reading by its path in the
        request (columns[i]... for a reading of a column block)."""
        try:
            yield
        except InvalidArgumentError as refusal:
            if not self.block_sizes:
                raise
            raise InvalidArgumentError(
                in_request_paths(refusal.violations, self.row_count, self.block_sizes)
            ) from None


@dataclass(frozen=True)
class Closing:
    """The instant ClosePeriod closes until, if the request names one."""

    until: datetime | None

    def until_or(self, now: Callable[[], datetime]) -> datetime:
        """The request's instant, else now (read when called)."""
        return self.until or now()


def signing_from_proto(app: LedgerApplication, request: pb.SignAgreementRequest) -> Signing:
    """The terms and signing instant of a SignAgreement request."""
    violations = Violations()
    if not request.HasField("terms"):
        violations.add("terms", "is required")
    terms = terms_from_proto(request.terms, "terms", violations)
    signed_at = instant_from_proto(request, "signed_at", "signed_at", violations)
    rules = one_pass.signing_rules(app, request.agreement_id, terms, signed_at)
    violations.raise_if_any(then=rules)
    check_terms_size(app, terms, "terms", rules)
    assert signed_at is not None
    return Signing(terms, signed_at)


def amendment_from_proto(app: LedgerApplication, request: pb.AmendAgreementRequest) -> Amendment:
    """The new terms, effective instant and expected version of an AmendAgreement request."""
    violations = Violations()
    if not request.HasField("terms"):
        violations.add("terms", "is required")
    terms = terms_from_proto(request.terms, "terms", violations)
    effective_from = instant_from_proto(request, "effective_from", "effective_from", violations)
    expected_version = _expected_version(request, violations)
    rules = one_pass.amendment_rules(
        app, request.agreement_id, terms, effective_from, request.reason
    )
    violations.raise_if_any(then=rules)
    check_terms_size(app, terms, "terms", rules)
    assert effective_from is not None
    return Amendment(terms, effective_from, expected_version)


def termination_from_proto(
    app: LedgerApplication, request: pb.TerminateAgreementRequest
) -> Termination:
    """The effective instant and expected version of a TerminateAgreement request."""
    violations = Violations()
    effective_at = instant_from_proto(request, "effective_at", "effective_at", violations)
    expected_version = _expected_version(request, violations)
    violations.raise_if_any(
        then=one_pass.termination_rules(app, request.agreement_id, effective_at, request.reason)
    )
    assert effective_at is not None
    return Termination(effective_at, expected_version)


def readings_from_proto(app: LedgerApplication, request: pb.RecordMeasurementsRequest) -> Readings:
    """The readings of a RecordMeasurements request, its rows first, then its column blocks."""
    violations = Violations()
    readings = measurements_from_proto(request.measurements, violations)
    block_sizes = []
    for index, block in enumerate(request.columns):
        block_readings = readings_from_columns(block, f"columns[{index}]", violations)
        block_sizes.append(len(block_readings))
        readings.extend(block_readings)
    violations.raise_if_any(
        then=one_pass.reading_rules(
            app, request.agreement_id, readings, len(request.measurements), block_sizes
        )
    )
    return Readings(readings, len(request.measurements), block_sizes)


def case_milestones_from_proto(request: pb.RecordCaseEventsRequest) -> list[Milestone]:
    """The milestones of a RecordCaseEvents request, each field checked; the timeline rules are
    the command's."""
    violations = Violations()
    milestones = milestones_from_proto(request.milestones, violations)
    violations.raise_if_any()
    return milestones


@contextmanager
def milestones_named_in_request() -> Iterator[None]:
    """Refusals of milestones raised inside name their fields as the request does."""
    try:
        yield
    except InvalidArgumentError as refusal:
        raise InvalidArgumentError(in_request_names(refusal.violations)) from None


def exclusion_input(app: LedgerApplication, request: pb.RecordExclusionRequest) -> Exclusion:
    """The exclusion of a RecordExclusion request."""
    violations = Violations()
    if not request.HasField("exclusion"):
        violations.add("exclusion", "is required")
    e = request.exclusion
    start = instant_from_proto(e, "start", "exclusion.start", violations)
    end = instant_from_proto(e, "end", "exclusion.end", violations)
    exclusion = exclusion_from_proto(e, start, end, violations)
    violations.raise_if_any(then=one_pass.exclusion_rules(app, request.agreement_id, exclusion))
    return exclusion


def check_recalculation(app: LedgerApplication, request: pb.RecalculatePeriodRequest) -> None:
    """Refuse an objective the agreement lacks, or a label not of its period unit, before any
    stored history is read for them (PostgreSQL refuses text holding NUL, for one)."""
    agreement = app.agreements.find_agreement(request.agreement_id)
    if agreement is not None:
        agreement.check_period_label(request.objective_id, request.period_label)


def closing_from_proto(request: pb.ClosePeriodRequest) -> Closing:
    """The instant a ClosePeriod request closes until, if it names one."""
    violations = Violations()
    until = instant_from_proto(request, "until", "until", violations, required=False)
    violations.raise_if_any()
    return Closing(until)


def _expected_version(
    request: pb.AmendAgreementRequest | pb.TerminateAgreementRequest, violations: Violations
) -> int | None:
    if not request.HasField("expected_version"):
        return None
    return position_from_proto(request.expected_version, "expected_version", violations, least=1)
