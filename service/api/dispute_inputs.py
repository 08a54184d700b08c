"""The fields of the dispute requests, checked at the door: every problem in one refusal."""

from __future__ import annotations

from dataclasses import dataclass

from domain.disputes import DisputeSubject, Outcome, text_violations
from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from service.api.listing_pages import fingerprint, page_size
from service.api.mapping.disputes import OUTCOMES, STATES, subject_from_proto
from service.api.mapping.scalars import enum_from_proto, filters_from_proto, position_from_proto
from service.api.page_tokens import decode_page_token, encode_page_token
from service.generated.sla.ledger.v1 import disputes_pb2


@dataclass(frozen=True)
class Resolving:
    """The fields of a ResolveDispute request."""

    outcome: Outcome
    expected_version: int | None


@dataclass(frozen=True)
class DisputeListing:
    """The filter and page of a ListDisputes request."""

    state: tuple[bool, Outcome | None] | None
    size: int
    after: int
    bound: str

    def next_token(self, last_position: int) -> str:
        """A token that continues after the dispute opened at last_position."""
        return encode_page_token(self.bound, last_position)


def opening_from_proto(request: disputes_pb2.OpenDisputeRequest) -> DisputeSubject:
    """The subject of an OpenDispute request; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    _identifier(request.dispute_id, "dispute_id", violations)
    kind_known = request.subject.kind in (k for k in _KINDS)
    subject = subject_from_proto(request.subject, "subject", violations)
    if kind_known:
        violations.extend(subject.violations())
    violations.extend(text_violations("reason", request.reason, required=True))
    violations.extend(text_violations("evidence", request.evidence, required=False))
    violations.raise_if_any()
    return subject


def resolving_from_proto(request: disputes_pb2.ResolveDisputeRequest) -> Resolving:
    """The fields of a ResolveDispute request; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    _identifier(request.dispute_id, "dispute_id", violations)
    outcome = enum_from_proto(request.outcome, OUTCOMES, "outcome", violations)
    violations.extend(text_violations("reason", request.reason, required=True))
    expected = None
    if request.HasField("expected_version"):
        expected = position_from_proto(
            request.expected_version, "expected_version", violations, least=1
        )
    violations.raise_if_any()
    return Resolving(outcome, expected)


def check_get_request(request: disputes_pb2.GetDisputeRequest) -> None:
    """INVALID_ARGUMENT for a malformed position of a GetDispute request."""
    violations = Violations()
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()


def dispute_listing(request: disputes_pb2.ListDisputesRequest) -> DisputeListing:
    """The filter and page of a ListDisputes request; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    size = page_size(request.page_size, violations)
    filters_from_proto(request, violations)
    state = enum_from_proto(request.state, STATES, "state", violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    where = (request.agreement_id, request.customer_id, state)
    bound = fingerprint("disputes", where)
    return DisputeListing(state, size, decode_page_token(request.page_token, bound), bound)


_KINDS = (
    disputes_pb2.DISPUTE_SUBJECT_KIND_PERIOD_RESULT,
    disputes_pb2.DISPUTE_SUBJECT_KIND_EXCLUSION,
    disputes_pb2.DISPUTE_SUBJECT_KIND_DENIED_CLAIM,
)


def _identifier(value: str, path: str, violations: Violations) -> None:
    if not is_identifier(value):
        violations.add(path, IDENTIFIER_RULE)
