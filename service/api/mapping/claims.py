"""Claims in messages: the terms' ClaimRule and the payloads of the claim lifecycle events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.claims import (
    ClaimDecided,
    ClaimRule,
    CreditClaimed,
    CreditForfeited,
    CreditSettled,
)
from domain.display import shown_money
from domain.errors import Violations
from domain.money import Money
from domain.period_results import PeriodEvent
from service.api.mapping.scalars import decimal_field
from service.generated.sla.ledger.v1 import claim_rules_pb2, claims_pb2, events_pb2, terms_pb2

CLAIM_EVENTS = (CreditClaimed, ClaimDecided, CreditForfeited, CreditSettled)
METHOD_TO_PROTO = {
    "invoice": claims_pb2.SETTLEMENT_METHOD_INVOICE,
    "paid_out": claims_pb2.SETTLEMENT_METHOD_PAID_OUT,
    "written_off": claims_pb2.SETTLEMENT_METHOD_WRITTEN_OFF,
}
METHOD_FROM_PROTO = {number: name for name, number in METHOD_TO_PROTO.items()}


def claim_rule_from_proto(
    message: claim_rules_pb2.ClaimRule, path: str, violations: Violations
) -> ClaimRule:
    """The terms' claim rule from its message; a minimum that is not plain goes to violations."""
    return ClaimRule(
        deadline_days=message.deadline_days if message.HasField("deadline_days") else None,
        deadline_billing_cycles=(
            message.deadline_billing_cycles if message.HasField("deadline_billing_cycles") else None
        ),
        minimum_amount=decimal_field(
            message.minimum_amount, f"{path}.minimum_amount", violations, Decimal(0)
        )
        or Decimal(0),
    )


def claim_rule_into_proto(rule: ClaimRule, out: claim_rules_pb2.ClaimRule) -> None:
    """Write the terms' claim rule into its message."""
    if rule.deadline_days is not None:
        out.deadline_days = rule.deadline_days
    if rule.deadline_billing_cycles is not None:
        out.deadline_billing_cycles = rule.deadline_billing_cycles
    out.minimum_amount = str(rule.minimum_amount) if rule.minimum_amount else ""


def money_into_proto(value: Money, out: terms_pb2.Money) -> None:
    """Write an amount as replies show it (at most the currency's minor-unit digits)."""
    out.currency_code = value.currency
    out.amount = str(shown_money(value).amount)


def claim_event_into_proto(event: PeriodEvent, message: events_pb2.LedgerEvent) -> None:
    """Write a claim lifecycle event into the payload of a LedgerEvent."""
    common: dict[str, Any] = {
        "objective_id": event.objective_id,
        "period_label": event.period_label,
        "customer_id": event.customer_id,
    }
    if isinstance(event, CreditClaimed):
        claimed = message.credit_claimed
        claimed.MergeFrom(
            claims_pb2.CreditClaimed(
                **common, claim_reference=event.claim_reference, evidence=event.evidence
            )
        )
        money_into_proto(event.amount, claimed.amount)
    elif isinstance(event, ClaimDecided):
        decided = message.claim_decided
        decided.MergeFrom(
            claims_pb2.ClaimDecided(**common, reason=event.reason, dispute_id=event.dispute_id)
        )
        money_into_proto(event.approved, decided.approved)
        money_into_proto(event.denied, decided.denied)
    elif isinstance(event, CreditForfeited):
        forfeited = message.credit_forfeited
        forfeited.MergeFrom(claims_pb2.CreditForfeited(**common))
        money_into_proto(event.amount, forfeited.amount)
        forfeited.deadline.FromDatetime(event.deadline)
    elif isinstance(event, CreditSettled):
        settled = message.credit_settled
        settled.MergeFrom(
            claims_pb2.CreditSettled(
                **common,
                settlement_id=event.settlement_id,
                method=METHOD_TO_PROTO.get(event.method, claims_pb2.SETTLEMENT_METHOD_UNSPECIFIED),
                invoice_reference=event.invoice_reference,
                invoice_date=event.invoice_date,
            )
        )
        money_into_proto(event.amount, settled.amount)
    else:  # pragma: no cover - CLAIM_EVENTS are mapped above
        raise TypeError(f"not a claim event: {type(event).__name__}")
