"""The basic values of the messages: instants, positions, listing filters, enums and decimals.

Every other mapping module builds on these; this one imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import (
    INSTANT_RULE,
    instant_seconds_in_range,
    parse_plain_decimal,
    position_problem,
)
from domain.instants import EPOCH
from domain.money import is_currency

# Stands in for a refused instant while the rest of a request is checked: before every instant
# a request may name, so no rule relating it to another instant fails because of it.
PLACEHOLDER_INSTANT = EPOCH - timedelta(days=1)


def instant_from_proto(
    message: Any, field: str, path: str, violations: Violations, *, required: bool = True
) -> datetime | None:
    """The UTC instant in message.field, or None (recording a violation when it is missing and
    required, or outside the documented range of business instants)."""
    if not message.HasField(field):
        if required:
            violations.add(path, "is required")
        return None
    ts: Timestamp = getattr(message, field)
    if not instant_seconds_in_range(ts.seconds, ts.nanos):
        violations.add(path, INSTANT_RULE)
        return None
    return ts.ToDatetime(tzinfo=UTC)


FILTER_FIELDS = ("agreement_id", "customer_id", "provider_id", "objective_id", "currency_code")


def filters_from_proto(request: Any, violations: Violations) -> None:
    """Violations for the listing filters of a request that are neither empty (any) nor an
    identifier (an ISO 4217 code for currency_code)."""
    for name in FILTER_FIELDS:
        if name not in request.DESCRIPTOR.fields_by_name or not (value := getattr(request, name)):
            continue
        if name == "currency_code" and not is_currency(value):
            violations.add(name, "must be empty or an ISO 4217 currency code")
        elif name != "currency_code" and not is_identifier(value):
            violations.add(name, f"must be empty or {IDENTIFIER_RULE}")


def position_from_proto(value: int, path: str, violations: Violations, least: int = 0) -> int:
    """A log position (or version) of at least least from a request; a violation when it is
    outside the documented range."""
    problem = position_problem(value, least)
    if problem is not None:
        violations.add(path, problem)
    return value


def instant_to_proto(instant: datetime) -> Timestamp:
    """A Timestamp for a timezone-aware instant."""
    ts = Timestamp()
    ts.FromDatetime(instant)
    return ts


def enum_from_proto(
    number: int, table: Mapping[Any, Any], path: str, violations: Violations
) -> Any:
    """The value an enum number stands for in table; a violation (and the first value) when the
    number is not one of them."""
    if number not in table:
        violations.add(path, "must be set to a known value")
        return next(iter(table.values()))
    return table[number]


def decimal_field(
    text: str, path: str, violations: Violations, default: Decimal | None = None
) -> Decimal | None:
    """The plain decimal in text; default when text is empty; None and a violation when text
    is not a plain decimal within the documented digits."""
    if not text:
        return default
    try:
        return parse_plain_decimal(text)
    except ValueError as refused:
        violations.add(path, str(refused))
        return None


def required_decimal(text: str, path: str, violations: Violations) -> Decimal:
    """The plain decimal in text; 0 and a violation when it is empty or not a plain decimal."""
    if not text:
        violations.add(path, "is required")
    value = decimal_field(text, path, violations)
    return value if value is not None else Decimal(0)


def text(value: Decimal | None) -> str:
    """A decimal as a string; empty for None."""
    return "" if value is None else str(value)
