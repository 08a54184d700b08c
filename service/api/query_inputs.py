"""The inputs of the queries, read from their requests; INVALID_ARGUMENT naming every bad field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import labels_problem
from domain.instants import to_epoch_us
from projections.queries import BreachFilter, CreditFilter
from service.api.listing_pages import PageRequest, fingerprint, page_size
from service.api.mapping.cases import CASE_STATE_FROM_PROTO
from service.api.mapping.chain import digest_from_proto
from service.api.mapping.scalars import filters_from_proto, instant_from_proto, position_from_proto
from service.app.case_views import CaseFilter
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.ledger_chain import Digest

Where = TypeVar("Where", BreachFilter, CreditFilter)


@dataclass(frozen=True)
class Listing(Generic[Where]):
    """A page of a read-model listing: its paging fields, its filter and what its tokens bind."""

    page: PageRequest
    where: Where
    bound: str

    def after(self) -> int:
        """The log position the page starts after (INVALID_ARGUMENT for a foreign token)."""
        return self.page.after(self.bound)

    def next_token(self, rows: Sequence[Any]) -> str:
        """A token for the next page; empty when this page was the last."""
        return self.page.next_token(self.bound, rows)


@dataclass(frozen=True)
class Instants:
    """When a read looks: business time (as_of) and record time (known_at)."""

    as_of: datetime
    known_at: datetime


@dataclass(frozen=True)
class VerifyRange:
    """The range VerifyLedger recomputes and the digest it expects at its end, if any."""

    after_position: int
    up_to_position: int
    expected: Digest | None


def breach_listing(request: pb.ListBreachesRequest) -> Listing[BreachFilter]:
    """The page and filter of a ListBreaches request."""
    page = PageRequest.of(request)
    where = BreachFilter(
        agreement_id=request.agreement_id,
        customer_id=request.customer_id,
        provider_id=request.provider_id,
        objective_id=request.objective_id,
        period_start_from=page.start_from,
        period_start_before=page.start_before,
        retracted=page.retracted,
    )
    return Listing(page, where, fingerprint("breaches", where))


def credit_listing(request: pb.ListCreditsRequest) -> Listing[CreditFilter]:
    """The page and filter of a ListCredits request."""
    page = PageRequest.of(request)
    where = CreditFilter(
        agreement_id=request.agreement_id,
        customer_id=request.customer_id,
        provider_id=request.provider_id,
        currency=request.currency_code,
        period_start_from=page.start_from,
        period_start_before=page.start_before,
        states=page.states,
    )
    # A token binds the states too (CreditFilter's repr leaves them out, see there).
    bound = fingerprint("credits", (where, where.states) if where.states else where)
    return Listing(page, where, bound)


def balance_instants(request: pb.GetCreditBalanceRequest, now: datetime) -> Instants:
    """The as_of and known_at of a GetCreditBalance request (now for either left out); its
    position and filters checked."""
    violations = Violations()
    as_of = _instant_or(now, request, "as_of", violations)
    known_at = _instant_or(now, request, "known_at", violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    filters_from_proto(request, violations)
    violations.raise_if_any()
    return Instants(as_of, known_at)


def read_instants(request: pb.GetAgreementRequest, now: datetime) -> Instants:
    """The as_of and known_at of a GetAgreement request; now for either left out."""
    violations = Violations()
    as_of = _instant_or(now, request, "as_of", violations)
    known_at = _instant_or(now, request, "known_at", violations)
    violations.raise_if_any()
    return Instants(as_of, known_at)


def compliance_instants(request: pb.GetComplianceRequest, now: datetime) -> Instants:
    """The as_of and known_at of a GetCompliance request (now for either left out); its
    min_log_position checked."""
    violations = Violations()
    as_of = _instant_or(now, request, "as_of", violations)
    known_at = _instant_or(now, request, "known_at", violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    return Instants(as_of, known_at)


@dataclass(frozen=True)
class CaseListing:
    """A ListCases page: its filter, its size and the token it continues from."""

    where: CaseFilter
    size: int
    token: str


def case_instants(request: pb.GetCaseRequest, now: datetime) -> Instants:
    """The as_of and known_at of a GetCase request (now for either left out); its case id and
    min_log_position checked."""
    violations = Violations()
    if not is_identifier(request.case_id):
        violations.add("case_id", IDENTIFIER_RULE)
    as_of = _instant_or(now, request, "as_of", violations)
    known_at = _instant_or(now, request, "known_at", violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    return Instants(as_of, known_at)


def case_listing(request: pb.ListCasesRequest) -> CaseListing:
    """The filter, page size and token of a ListCases request."""
    violations = Violations()
    state = CASE_STATE_FROM_PROTO.get(request.state)
    if state is None:
        violations.add("state", "must be a known value (unspecified: any)")
    if request.objective_id and not is_identifier(request.objective_id):
        violations.add("objective_id", f"must be empty or {IDENTIFIER_RULE}")
    if request.labels and (problem := labels_problem(request.labels)) is not None:
        violations.add("labels", problem)
    bounds = {
        name: instant_from_proto(request, name, name, violations, required=False)
        for name in ("opened_from", "opened_before", "due_from", "due_before")
    }
    size = page_size(request.page_size, violations)
    violations.raise_if_any()
    us = {name: None if at is None else to_epoch_us(at) for name, at in bounds.items()}
    where = CaseFilter(
        state=state or "",
        objective_id=request.objective_id,
        breached=request.breached,
        at_risk=request.at_risk,
        labels=dict(request.labels) if request.labels else None,
        opened_from_us=us["opened_from"],
        opened_until_us=us["opened_before"],
        due_from_us=us["due_from"],
        due_until_us=us["due_before"],
    )
    return CaseListing(where, size, request.page_token)


def verify_range(request: pb.VerifyLedgerRequest) -> VerifyRange:
    """The range and expected digest of a VerifyLedger request."""
    violations = Violations()
    position_from_proto(request.after_position, "after_position", violations)
    position_from_proto(request.up_to_position, "up_to_position", violations)
    if 0 < request.up_to_position <= request.after_position:
        violations.add("up_to_position", "must be after after_position")
    expected = None
    if request.HasField("expected_digest"):
        expected = digest_from_proto(request.expected_digest, "expected_digest", violations)
    violations.raise_if_any()
    return VerifyRange(request.after_position, request.up_to_position, expected)


def _instant_or(
    default: datetime,
    request: pb.GetAgreementRequest
    | pb.GetComplianceRequest
    | pb.GetCaseRequest
    | pb.GetCreditBalanceRequest,
    field: str,
    violations: Violations,
) -> datetime:
    instant = instant_from_proto(request, field, field, violations, required=False)
    return instant or default
