"""The inputs of the subscription calls and of the service-SLA fields of GetCompliance and
RecalculatePeriod, read from their requests and refused in one pass when malformed.

Each function reads a request's fields into what its call takes, collecting every shape problem,
and raises INVALID_ARGUMENT naming them all; a command also runs its own rules in the same pass
(see one_pass) on what could be read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.agreement import Agreement
from domain.errors import (
    FailedPreconditionError,
    FieldViolation,
    InvalidArgumentError,
    Violations,
)
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.subscriptions import Subscription
from domain.terms import Fee, Party
from service.api.listing_pages import page_size
from service.api.mapping.scalars import (
    PLACEHOLDER_INSTANT,
    instant_from_proto,
    position_from_proto,
)
from service.api.mapping.terms import fee_from_proto
from service.api.one_pass import Rules
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb


@dataclass(frozen=True)
class Subscribing:
    """What SubscribeCustomer subscribes."""

    customer: Party
    tier_id: str
    fee: Fee
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class TierChange:
    """What ChangeSubscriptionTier changes to."""

    fee: Fee | None
    effective_from: datetime
    expected_version: int | None


@dataclass(frozen=True)
class Ending:
    """When EndSubscription ends a subscription."""

    end_at: datetime
    expected_version: int | None


@dataclass(frozen=True)
class SubscriptionRead:
    """When GetSubscription looks: business time (as_of) and record time (known_at)."""

    as_of: datetime
    known_at: datetime


@dataclass(frozen=True)
class SubscriptionPage:
    """A page of a subscription listing: its size and the token it continues from."""

    size: int
    token: str


def subscribing_from_proto(
    app: LedgerApplication, request: pb.SubscribeCustomerRequest
) -> Subscribing:
    """The customer, tier, fee, start and end of a SubscribeCustomer request."""
    violations = Violations()
    if not request.HasField("customer"):
        violations.add("customer", "is required")
    if not request.HasField("fee"):
        violations.add("fee", "is required")
    fee = fee_from_proto(request.fee, "fee", violations)
    start = instant_from_proto(request, "start", "start", violations)
    end = instant_from_proto(request, "end", "end", violations, required=False)
    customer = Party(request.customer.party_id, request.customer.display_name)
    subscribing = Subscribing(customer, request.tier_id, fee, start or PLACEHOLDER_INSTANT, end)
    violations.raise_if_any(then=_subscribing_rules(app, request.agreement_id, subscribing))
    return subscribing


def tier_change_from_proto(
    app: LedgerApplication, request: pb.ChangeSubscriptionTierRequest
) -> TierChange:
    """The fee, effective instant and expected version of a ChangeSubscriptionTier request."""
    violations = Violations()
    _customer_id(request.customer_id, violations)
    fee = fee_from_proto(request.fee, "fee", violations) if request.HasField("fee") else None
    effective_from = instant_from_proto(request, "effective_from", "effective_from", violations)
    expected_version = _expected_version(request, violations)

    def rules() -> Sequence[FieldViolation]:
        found = _subscription(app, request.agreement_id, request.customer_id)
        if found is None:
            return []
        subscription, service = found
        return _refusals(
            lambda: subscription.change_tier(
                service,
                request.tier_id,
                fee,
                effective_from or PLACEHOLDER_INSTANT,
                request.reason,
                app.now(),
            )
        )

    violations.raise_if_any(then=rules)
    assert effective_from is not None
    return TierChange(fee, effective_from, expected_version)


def ending_from_proto(app: LedgerApplication, request: pb.EndSubscriptionRequest) -> Ending:
    """The end instant and expected version of an EndSubscription request."""
    violations = Violations()
    _customer_id(request.customer_id, violations)
    end_at = instant_from_proto(request, "end_at", "end_at", violations)
    expected_version = _expected_version(request, violations)

    def rules() -> Sequence[FieldViolation]:
        found = _subscription(app, request.agreement_id, request.customer_id)
        if found is None:
            return []
        subscription, _ = found
        return _refusals(
            lambda: subscription.end_subscription(
                end_at or PLACEHOLDER_INSTANT, request.reason, app.now()
            )
        )

    violations.raise_if_any(then=rules)
    assert end_at is not None
    return Ending(end_at, expected_version)


def subscription_read(request: pb.GetSubscriptionRequest, now: datetime) -> SubscriptionRead:
    """The as_of and known_at of a GetSubscription request (now for either left out); its
    customer id and min_log_position checked."""
    violations = Violations()
    _customer_id(request.customer_id, violations)
    as_of = instant_from_proto(request, "as_of", "as_of", violations, required=False)
    known_at = instant_from_proto(request, "known_at", "known_at", violations, required=False)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    return SubscriptionRead(as_of or now, known_at or now)


def subscriptions_page(
    request: pb.ListSubscriptionsRequest | pb.ListCustomerSubscriptionsRequest,
) -> SubscriptionPage:
    """The page of a ListSubscriptions or ListCustomerSubscriptions request; its filters and
    min_log_position checked."""
    violations = Violations()
    if isinstance(request, pb.ListSubscriptionsRequest):
        if not request.agreement_id:
            violations.add("agreement_id", "is required")
        if request.tier_id and not is_identifier(request.tier_id):
            violations.add("tier_id", f"must be empty or {IDENTIFIER_RULE}")
    else:
        _customer_id(request.customer_id, violations)
    size = page_size(request.page_size, violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    return SubscriptionPage(size, request.page_token)


def check_compliance_subject(request: pb.GetComplianceRequest) -> None:
    """Refuse a GetCompliance request whose tier_id or customer_id is malformed, or that names
    both; whether the agreement takes them is the query's rule."""
    violations = Violations()
    for name in ("tier_id", "customer_id"):
        value = getattr(request, name)
        if value and not is_identifier(value):
            violations.add(name, f"must be empty or {IDENTIFIER_RULE}")
    if request.tier_id and request.customer_id:
        violations.add("customer_id", "name a tier or a subscriber, not both")
    violations.raise_if_any()


def check_recalculation_customer(request: pb.RecalculatePeriodRequest) -> None:
    """Refuse a RecalculatePeriod request whose customer_id is malformed."""
    if request.customer_id and not is_identifier(request.customer_id):
        raise InvalidArgumentError(
            [FieldViolation("customer_id", f"must be empty or {IDENTIFIER_RULE}")]
        )


def _subscribing_rules(
    app: LedgerApplication, agreement_id: str, subscribing: Subscribing
) -> Rules:
    """The checks of SubscribeCustomer (none when the agreement is unknown, or is no service
    SLA open to subscriptions: those refusals are the command's)."""

    def rules() -> Sequence[FieldViolation]:
        service = app.agreements.find_agreement(agreement_id)
        if service is None:
            return []
        s = subscribing
        return _refusals(
            lambda: Subscription.subscribe(
                service, s.customer, s.tier_id, s.fee, s.start, s.end, app.now()
            )
        )

    return rules


def _refusals(command: Callable[[], object]) -> list[FieldViolation]:
    """The field violations a domain command raises (none when it passes or fails otherwise)."""
    try:
        command()
    except InvalidArgumentError as refused:
        return list(refused.violations)
    except FailedPreconditionError:
        return []
    return []


def _subscription(
    app: LedgerApplication, agreement_id: str, customer_id: str
) -> tuple[Subscription, Agreement] | None:
    """The subscription and its service SLA as recorded now, when both exist."""
    service = app.agreements.find_agreement(agreement_id)
    if service is None or not is_identifier(customer_id):
        return None
    subscription = app.subscriptions.find(agreement_id, customer_id)
    return None if subscription is None else (subscription, service)


def _customer_id(customer_id: str, violations: Violations) -> None:
    if not is_identifier(customer_id):
        violations.add("customer_id", IDENTIFIER_RULE)


def _expected_version(
    request: pb.ChangeSubscriptionTierRequest | pb.EndSubscriptionRequest, violations: Violations
) -> int | None:
    if not request.HasField("expected_version"):
        return None
    return position_from_proto(request.expected_version, "expected_version", violations, least=1)


def check_service_subject(
    app: LedgerApplication, agreement_id: str, tier_id: str, customer_id: str, *, required: str
) -> None:
    """A service SLA is judged per tier or per subscriber, so one of them is required (the
    field named required is refused without); any other agreement takes neither. An
    unknown agreement is left to the call (NOT_FOUND)."""
    agreement = app.agreements.find_agreement(agreement_id)
    if agreement is None:
        return
    terms = agreement.current_terms.terms
    if terms.is_service_sla and not (tier_id or customer_id):
        raise _refused(required, "a service SLA is judged per tier or per subscriber")
    if not terms.is_service_sla:
        for name, value in (("tier_id", tier_id), ("customer_id", customer_id)):
            if value:
                raise _refused(name, "only a service SLA has tiers and subscribers")
    known = {t.tier_id for v in agreement.terms_versions for t in v.terms.tiers}
    if tier_id and tier_id not in known:
        raise _refused(
            "tier_id",
            f"the service has no tier {tier_id!r} (its tiers: {', '.join(sorted(known))})",
        )


def _refused(field: str, description: str) -> InvalidArgumentError:
    return InvalidArgumentError([FieldViolation(field, description)])
