"""Builders of valid service-SLA requests (tiers, subscriptions), shared by the servicer and API
tests. Dates are parameters, as in tests/proto_builders.py.

The service SLA "cloud-sla" of provider acme-cloud has two monthly tiers on one availability
objective: basic (99.0%, bands below 99.0 -> 10%) and premium (99.9%, bands below 99.9 -> 25%,
below 99.0 -> 50%). Readings are recorded once against "availability"; each tier judges them.
"""

from __future__ import annotations

from datetime import datetime

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import subscriptions_pb2, terms_pb2
from tests.proto_builders import timestamp

SERVICE = "cloud-sla"


def bands(*pairs: tuple[str, str]) -> terms_pb2.CreditPolicy:
    """A bands policy of (below_percent, credit_percent) pairs."""
    return terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent=b, credit_percent=c) for b, c in pairs]
        )
    )


def tier(tier_id: str, target: str, policy: terms_pb2.CreditPolicy) -> terms_pb2.Tier:
    """A tier with one monthly availability objective at a target, and its credit policy."""
    return terms_pb2.Tier(
        tier_id=tier_id,
        display_name=tier_id.title(),
        objectives=[
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent=target,
                period=terms_pb2.PERIOD_UNIT_MONTH,
            )
        ],
        credit_policy=policy,
    )


BASIC = tier("basic", "99.0", bands(("99.0", "10")))
PREMIUM = tier("premium", "99.9", bands(("99.9", "25"), ("99.0", "50")))


def service_terms(
    term_start: datetime, tiers: list[terms_pb2.Tier] | None = None
) -> terms_pb2.AgreementTerms:
    """The terms of the service SLA: no customer, no objectives of its own, its tiers."""
    return terms_pb2.AgreementTerms(
        provider=terms_pb2.Party(party_id="acme-cloud", display_name="ACME Cloud"),
        kind=terms_pb2.AGREEMENT_KIND_SERVICE_BASED,
        services=["compute"],
        time_zone="UTC",
        fee=fee("0.00"),
        term_start=timestamp(term_start),
        tiers=tiers if tiers is not None else [BASIC, PREMIUM],
    )


def sign_service(
    term_start: datetime, signed_at: datetime, agreement_id: str = SERVICE
) -> pb.SignAgreementRequest:
    """A request to sign the service SLA."""
    return pb.SignAgreementRequest(
        agreement_id=agreement_id, terms=service_terms(term_start), signed_at=timestamp(signed_at)
    )


def fee(amount: str, currency: str = "EUR") -> terms_pb2.Fee:
    """A monthly fee."""
    return terms_pb2.Fee(
        amount=terms_pb2.Money(currency_code=currency, amount=amount),
        period=terms_pb2.PERIOD_UNIT_MONTH,
    )


def subscribe(
    customer_id: str,
    tier_id: str,
    start: datetime,
    *,
    amount: str = "1000.00",
    end: datetime | None = None,
    agreement_id: str = SERVICE,
    request_id: str = "",
) -> pb.SubscribeCustomerRequest:
    """A request to subscribe a customer to a tier for a monthly EUR fee from start."""
    request = pb.SubscribeCustomerRequest(
        agreement_id=agreement_id,
        customer=terms_pb2.Party(party_id=customer_id, display_name=customer_id.title()),
        tier_id=tier_id,
        fee=fee(amount),
        start=timestamp(start),
        request_id=request_id,
    )
    if end is not None:
        request.end.CopyFrom(timestamp(end))
    return request


def change_tier(
    customer_id: str, tier_id: str, effective_from: datetime, *, agreement_id: str = SERVICE
) -> pb.ChangeSubscriptionTierRequest:
    """A request to move a subscription to a tier from an instant, keeping its fee."""
    return pb.ChangeSubscriptionTierRequest(
        agreement_id=agreement_id,
        customer_id=customer_id,
        tier_id=tier_id,
        effective_from=timestamp(effective_from),
        reason="upgrade",
    )


def end(
    customer_id: str, end_at: datetime, *, agreement_id: str = SERVICE
) -> pb.EndSubscriptionRequest:
    """A request to end a subscription at an instant."""
    return pb.EndSubscriptionRequest(
        agreement_id=agreement_id,
        customer_id=customer_id,
        end_at=timestamp(end_at),
        reason="contract ended",
    )


def get(
    customer_id: str,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    agreement_id: str = SERVICE,
) -> pb.GetSubscriptionRequest:
    """A GetSubscriptionRequest; as_of and known_at set only when given."""
    request = pb.GetSubscriptionRequest(agreement_id=agreement_id, customer_id=customer_id)
    if as_of is not None:
        request.as_of.CopyFrom(timestamp(as_of))
    if known_at is not None:
        request.known_at.CopyFrom(timestamp(known_at))
    return request


ACTIVE = subscriptions_pb2.SUBSCRIPTION_STATUS_ACTIVE
PENDING = subscriptions_pb2.SUBSCRIPTION_STATUS_PENDING
ENDED = subscriptions_pb2.SUBSCRIPTION_STATUS_ENDED
