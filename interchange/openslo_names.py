"""The OpenSLO vocabulary the mapping shares: the annotation keys that carry ledger-only
fields, object names, duration shorthands and exact decimals."""

from __future__ import annotations

import re
from decimal import Decimal

API_VERSION = "openslo/v1"
PREFIX = "sla-ledger.dev/"
OBJECTIVE_ID = PREFIX + "objective-id"
AGREEMENT_ID = PREFIX + "agreement-id"
TERMS_VERSION = PREFIX + "terms-version"
TIER = PREFIX + "tier"
INDICATOR = PREFIX + "indicator"
LIMIT = PREFIX + "limit"
CUMULATIVE_TARGET = PREFIX + "cumulative-target"
SLICE_SECONDS = PREFIX + "slice-seconds"
LABEL_SCOPE = PREFIX + "label-scope"
SCHEDULE = PREFIX + "schedule"
OFF_SCHEDULE_TARGET = PREFIX + "off-schedule-target-percent"
CREDIT_POLICY = PREFIX + "credit-policy"
TERMINATION_RIGHT_AFTER = PREFIX + "termination-right-after"
CASE_CLOCK = PREFIX + "case-clock"
DESCRIPTION = PREFIX + "description"
INFORMATIONAL = frozenset({AGREEMENT_ID, TERMS_VERSION})
METRIC_SOURCE_TYPE = "sla-ledger"
MAX_DESCRIPTION = 1050
MAX_NAME = 63

_NOT_NAME = re.compile(r"[^a-z0-9-]+")
_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhdwMQY])")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def object_name(text: str) -> str:
    """An RFC 1123 label (lower case letters, digits, '-'; at most 63) made from an id."""
    name = _NOT_NAME.sub("-", text.lower()).strip("-")[:MAX_NAME].strip("-")
    return name or "objective"


def parse_duration(text: str) -> tuple[int, str] | None:
    """The number and unit of a duration shorthand (`4w`, `1M`); None when it is not one."""
    match = _DURATION.fullmatch(text)
    return (int(match.group(1)), match.group(2)) if match else None


def duration_of_seconds(seconds: int) -> str | None:
    """The shorthand of a whole number of minutes, in the largest unit that divides it."""
    if seconds <= 0 or seconds % 60:
        return None
    for unit in ("w", "d", "h", "m"):
        if seconds % UNIT_SECONDS[unit] == 0:
            return f"{seconds // UNIT_SECONDS[unit]}{unit}"
    return None


def plain(value: Decimal) -> str:
    """A decimal as the ledger writes it: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
