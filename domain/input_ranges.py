"""The documented ranges of the values that enter the ledger (docs/input-ranges.md).

The API refuses a value outside its range where it enters, naming the field; the domain's
arithmetic can then rely on it. Stored events are never checked against these ranges: a value
that an older version accepted still decodes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

# Business instants: 1970-01-01T00:00:00Z <= t < 2200-01-01T00:00:00Z. The epoch is the origin of
# the microsecond instants the ledger computes with; two centuries of future leave every period
# walk, time zone offset and calendar step far from datetime's limits (years 1 and 9999).
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_INSTANTS = datetime(2200, 1, 1, tzinfo=UTC)
EARLIEST_SECONDS = 0
END_SECONDS = 7_258_118_400  # END_OF_INSTANTS in seconds since the epoch
INSTANT_RULE = "must lie from 1970-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z"

# Log positions and agreement versions: integers that JSON clients hold exactly (2^53).
MAX_POSITION = 2**53

# Decimals: plain ASCII digits. 18 before the point hold any count a reading can sum to and any
# amount below the 10^15 limit; 6 after it hold percentages to 99.999999 (eight nines), and every
# value so written is rendered back in the same plain form.
MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 6
_PLAIN_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
DECIMAL_RULE = (
    "a plain decimal: ASCII digits 0-9 with an optional '.' and digits after it, '-' in front "
    "where negatives are allowed; no '+', exponent, separators or spaces"
)

# Labels of readings and of an objective's label scope.
MAX_LABELS = 16
MAX_LABEL_LENGTH = 128

# Business-hour schedules: holidays are local dates written YYYY-MM-DD, within the years of the
# instant range.
MAX_HOLIDAYS = 1000
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
EARLIEST_DATE = date(1970, 1, 1)
LAST_DATE = date(2199, 12, 31)
DATE_RULE = "must be a date written YYYY-MM-DD (like 2026-12-25), from 1970-01-01 to 2199-12-31"

# Credit bands per credit policy.
MAX_BANDS = 100

_SHOWN_CHARACTERS = 40


def shown(text: str) -> str:
    """text quoted for a refusal, cut short when long (a refusal must stay small)."""
    if len(text) <= _SHOWN_CHARACTERS:
        return repr(text)
    return f"{text[:_SHOWN_CHARACTERS]!r}… ({len(text)} characters)"


def instant_seconds_in_range(seconds: int, nanos: int) -> bool:
    """Whether a Timestamp's seconds and nanos name an instant in the documented range."""
    return EARLIEST_SECONDS <= seconds < END_SECONDS and 0 <= nanos < 1_000_000_000


def position_problem(value: int, least: int = 0) -> str | None:
    """Why value is not a log position or version of at least least; None when it is one."""
    if least <= value <= MAX_POSITION:
        return None
    return f"must be {least} to {MAX_POSITION:,} (2^53)"


def parse_plain_decimal(text: str) -> Decimal:
    """The Decimal written in text; ValueError saying why when text is not a plain decimal
    within the documented digits."""
    match = _PLAIN_DECIMAL.fullmatch(text)
    if match is None:
        raise ValueError(f"{shown(text)} is not {DECIMAL_RULE}")
    sign, whole, fraction = match.groups()
    if len(whole) > MAX_INTEGER_DIGITS:
        raise ValueError(f"at most {MAX_INTEGER_DIGITS} digits before the point")
    if fraction is not None and len(fraction) > MAX_FRACTION_DIGITS:
        raise ValueError(f"at most {MAX_FRACTION_DIGITS} digits after the point")
    value = Decimal(text)
    if sign and not value:
        raise ValueError("a zero has no sign: write it without '-'")
    return value


def labels_problem(labels: Mapping[str, str]) -> str | None:
    """Why a set of labels is too large; None when it is within the limits."""
    if len(labels) > MAX_LABELS:
        return f"at most {MAX_LABELS} labels"
    if any(
        not k or len(k) > MAX_LABEL_LENGTH or len(v) > MAX_LABEL_LENGTH for k, v in labels.items()
    ):
        return f"keys 1 to {MAX_LABEL_LENGTH}, values at most {MAX_LABEL_LENGTH} characters"
    return None


def parse_iso_date(text: str) -> date | None:
    """The date written YYYY-MM-DD in text, within the documented years; None otherwise."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        day = date(*(int(group) for group in match.groups()))
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LAST_DATE else None
