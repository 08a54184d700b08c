"""The fields of a credit's money events as JSON, so the read model can fold them again.

A row of projected_credit_events keeps its event's fields; read back, they make the same event
(of the same class, equal field by field) for domain/credit_lifecycle.py credit_state, the one
fold. PeriodClosed's track figures are the one thing left out: no amount depends on them, and
they are most of its size (a closed period is read back with no figures).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_caps import CreditCapped
from domain.instants import from_epoch_us, to_epoch_us
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent

# The events of a credit's life, by the kind its rows carry.
MONEY_EVENT_KINDS: Mapping[str, type[PeriodEvent]] = {
    "period_closed": PeriodClosed,
    "credit_issued": CreditIssued,
    "credit_adjusted": CreditAdjusted,
    "credit_capped": CreditCapped,
    "credit_claimed": CreditClaimed,
    "claim_decided": ClaimDecided,
    "credit_forfeited": CreditForfeited,
    "credit_settled": CreditSettled,
}
KIND_OF: Mapping[type[PeriodEvent], str] = {cls: kind for kind, cls in MONEY_EVENT_KINDS.items()}
_LEFT_OUT: Mapping[type[PeriodEvent], Mapping[str, Any]] = {PeriodClosed: {"figures": ()}}


def encode_fields(event: PeriodEvent) -> str:
    """The event's fields as JSON (money and decimals exact, instants in epoch µs)."""
    left_out = _LEFT_OUT.get(type(event), {})
    return json.dumps(
        {
            f.name: _encode(getattr(event, f.name))
            for f in dataclasses.fields(event)
            if f.name not in left_out
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def decode_fields(kind: str, text: str) -> PeriodEvent:
    """The event of that kind with the fields encode_fields wrote."""
    cls = MONEY_EVENT_KINDS[kind]
    values: dict[str, Any] = {name: _decode(v) for name, v in json.loads(text).items()}
    values.update(_LEFT_OUT.get(cls, {}))
    return cls(**values)


def main_amount(event: PeriodEvent) -> Money | None:
    """The amount a row of the event shows: issued, delta, claimed, approved, forfeited or
    settled; None for a close."""
    if isinstance(event, CreditAdjusted | CreditCapped):
        return event.delta
    if isinstance(event, ClaimDecided):
        return event.approved
    if isinstance(event, CreditIssued | CreditClaimed | CreditForfeited | CreditSettled):
        return event.amount
    return None


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"money": [str(value.amount), value.currency]}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime):
        return {"us": to_epoch_us(value)}
    raise TypeError(f"a money event's field cannot hold {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "money" in value:
        amount, currency = value["money"]
        return Money(Decimal(amount), currency)
    if "decimal" in value:
        return Decimal(value["decimal"])
    return from_epoch_us(value["us"])
