"""Conversions between the wire's strings, timestamps, enums and Decimal, datetime, names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from google.protobuf import timestamp_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from sla_ledger_client._generated.sla.ledger.v1 import terms_pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Money:
    """An amount of one currency, exact."""

    currency: str
    amount: Decimal

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def require_aware(value: datetime, name: str) -> datetime:
    """The datetime itself; ValueError when it is naive (its instant would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a tzinfo), got {value!r}")
    return value


def timestamp(value: datetime, name: str = "datetime") -> timestamp_pb2.Timestamp:
    """The protobuf Timestamp of an aware datetime."""
    found = timestamp_pb2.Timestamp()
    found.FromDatetime(require_aware(value, name).astimezone(UTC))
    return found


def micros(value: datetime, name: str = "observed_at") -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    delta = require_aware(value, name) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_timestamp(value: timestamp_pb2.Timestamp) -> datetime:
    """The aware UTC datetime of a Timestamp."""
    return value.ToDatetime(tzinfo=UTC)


def optional_datetime(message: object, field: str) -> datetime | None:
    """The field's datetime when the message has it set, else None."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    found: timestamp_pb2.Timestamp = getattr(message, field)
    return from_timestamp(found)


def decimal_or_none(text: str) -> Decimal | None:
    """The Decimal of a wire figure; None for the empty string (no data)."""
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the ledger sent a figure that is not a decimal: {text!r}") from None


def money(value: terms_pb2.Money) -> Money:
    """Money of a wire Money."""
    return Money(value.currency_code, Decimal(value.amount or "0"))


def wire_money(value: Money) -> terms_pb2.Money:
    """The wire Money of a Money (amount written in plain notation)."""
    return terms_pb2.Money(currency_code=value.currency, amount=f"{value.amount:f}")


def enum_name(enum: EnumTypeWrapper, number: int, prefix: str) -> str:
    """The enum value's name without its type prefix (``MET``), or its number when unknown."""
    try:
        name = enum.Name(number)
    except ValueError:
        return str(number)
    return name.removeprefix(prefix)


def enum_number(enum: EnumTypeWrapper, name: str, prefix: str) -> int:
    """The number of an enum value named with or without its prefix; ValueError when unknown."""
    full = name if name.startswith(prefix) else prefix + name
    try:
        return int(enum.Value(full))
    except ValueError:
        known = ", ".join(n.removeprefix(prefix) for n in enum.DESCRIPTOR.values_by_name)
        raise ValueError(f"unknown value {name!r}; one of: {known}") from None
