"""How a statement shows its figures, money, instants and lags, alike in every format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from reports.statement import LedgerDigest, Money

PLACES = Decimal("0.000001")  # figures: at most 6 decimal places, rounded half-even
NONE = "—"


def figure(value: Decimal | None) -> str:
    """A figure with at most 6 decimal places, half-even, without trailing zeros; — for none."""
    if value is None:
        return NONE
    rounded = value.quantize(PLACES, rounding=ROUND_HALF_EVEN) if _places(value) > 6 else value
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: Decimal | None) -> str:
    """A percentage figure with its sign; — for none."""
    return NONE if value is None else f"{figure(value)}%"


def money(amount: Money) -> str:
    """An amount with its currency, as the ledger shows it (at most 6 decimal places)."""
    return f"{amount.currency} {money_amount(amount)}"


def money_amount(amount: Money) -> str:
    """The amount alone, as the ledger shows it."""
    value = amount.amount
    if _places(value) > 6:
        value = value.quantize(PLACES, rounding=ROUND_HALF_EVEN)
    return format(value, "f")


def instant(value: datetime | None) -> str:
    """An instant in UTC, ISO 8601 to the second (to the microsecond when it has them)."""
    if value is None:
        return NONE
    utc = value.astimezone(UTC)
    spec = "seconds" if utc.microsecond == 0 else "microseconds"
    return utc.isoformat(timespec=spec).replace("+00:00", "Z")


def lag(value: timedelta) -> str:
    """A duration as [-]Dd HH:MM:SS (a negative lag: recorded before the interval ended)."""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{days}d {hours:02d}:{minutes:02d}:{seconds:02d}"


def verify_command(digest: LedgerDigest) -> str:
    """The command an auditor runs against the ledger's database to hold it to the digest."""
    return f"sla-ledger verify --expect {digest.text}"


def label(text: str) -> str:
    """An enum-like word as prose: "off_schedule" as "off schedule"."""
    return text.replace("_", " ")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
