"""The cap across objectives in messages: the terms' CreditCap and the CreditCapped payload."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_caps import CreditCap, CreditCapped
from domain.display import shown_money
from domain.errors import Violations
from domain.money import Money
from service.api.mapping.scalars import decimal_field, text
from service.generated.sla.ledger.v1 import credit_caps_pb2, events_pb2, terms_pb2

_PLACEHOLDER = Decimal(1)  # valid as a percent and as an amount


def cap_from_proto(
    message: credit_caps_pb2.CreditCap, path: str, violations: Violations
) -> CreditCap:
    """The terms' cap from its message; a decimal that is not plain goes to violations (and
    stands as a valid placeholder, so that only its own problem is reported)."""
    percent = decimal_field(message.percent_of_fee, f"{path}.percent_of_fee", violations)
    amount = decimal_field(message.amount, f"{path}.amount", violations)
    return CreditCap(
        percent_of_fee=_PLACEHOLDER if message.percent_of_fee and percent is None else percent,
        amount=_PLACEHOLDER if message.amount and amount is None else amount,
    )


def cap_into_proto(cap: CreditCap, out: credit_caps_pb2.CreditCap) -> None:
    """Write the terms' cap into its message."""
    out.percent_of_fee = text(cap.percent_of_fee)
    out.amount = text(cap.amount)


def _money(value: Money, out: terms_pb2.Money) -> None:
    out.currency_code = value.currency
    out.amount = str(shown_money(value).amount)


def capped_into_proto(event: CreditCapped, message: events_pb2.LedgerEvent) -> None:
    """Write a CreditCapped event into the payload of a LedgerEvent."""
    capped = message.credit_capped
    capped.objective_id = event.objective_id
    capped.period_label = event.period_label
    capped.customer_id = event.customer_id
    capped.fee_period_label = event.fee_period_label
    capped.allocation_line = event.allocation_line
    _money(event.cap, capped.cap)
    _money(event.credits_before_cap, capped.credits_before_cap)
    _money(event.reduction_before, capped.reduction_before)
    _money(event.reduction_after, capped.reduction_after)
    _money(event.delta, capped.delta)
