"""Identifiers chosen by clients, and the names of the event streams derived from them."""

from __future__ import annotations

import re
from datetime import date

IDENTIFIER_PATTERN = re.compile(r"[A-Za-z0-9._~-]{1,128}")
IDENTIFIER_RULE = "1 to 128 characters of letters, digits, '.', '_', '-' or '~'"
AGREEMENT_STREAM_PREFIX = "agreement:"


def is_identifier(text: str) -> bool:
    """Whether text is a valid client-chosen identifier."""
    return IDENTIFIER_PATTERN.fullmatch(text) is not None


def agreement_stream(agreement_id: str) -> str:
    """Name of the stream holding an agreement's own events."""
    return f"{AGREEMENT_STREAM_PREFIX}{agreement_id}"


def measurement_stream_prefix(agreement_id: str) -> str:
    """Common prefix of every measurement stream of an agreement."""
    return f"{agreement_stream(agreement_id)}/objective:"


def measurement_stream(agreement_id: str, objective_id: str, day: date) -> str:
    """Name of the stream holding one objective's measurements observed on one UTC day."""
    return f"{measurement_stream_prefix(agreement_id)}{objective_id}/day:{day.isoformat()}"


def period_stream(
    agreement_id: str, objective_id: str, period_label: str, customer_id: str = ""
) -> str:
    """Name of the stream holding one objective-period's results: of the agreement, or of one
    subscriber of a service SLA (customer_id)."""
    if customer_id:
        root = subscription_stream(agreement_id, customer_id)
        return f"{root}/objective:{objective_id}/period:{period_label}"
    return f"{measurement_stream_prefix(agreement_id)}{objective_id}/period:{period_label}"


def subscription_stream(agreement_id: str, customer_id: str) -> str:
    """Name of the stream holding one customer's subscription to a service SLA."""
    return f"{agreement_stream(agreement_id)}/customer:{customer_id}"


def agreement_of_stream(stream_id: str) -> str:
    """The agreement a stream belongs to."""
    if not stream_id.startswith(AGREEMENT_STREAM_PREFIX):
        raise ValueError(f"not a ledger stream: {stream_id!r}")
    return stream_id[len(AGREEMENT_STREAM_PREFIX) :].split("/", 1)[0]


def case_stream(agreement_id: str, case_id: str) -> str:
    """Name of the stream holding one case's milestones."""
    return f"{agreement_stream(agreement_id)}/case:{case_id}"


def case_warning_stream(agreement_id: str, case_id: str) -> str:
    """Name of the stream holding the warnings the ledger raised about one case's clocks."""
    return f"{case_stream(agreement_id, case_id)}/warnings"


def dispute_stream(agreement_id: str, dispute_id: str) -> str:
    """Name of the stream holding one dispute's opening and resolution."""
    return f"{agreement_stream(agreement_id)}/dispute:{dispute_id}"


def dispute_stream_range(agreement_id: str) -> tuple[str, str]:
    """The range [low, high) of the names of an agreement's dispute streams."""
    low = f"{agreement_stream(agreement_id)}/dispute:"
    return low, low[:-1] + ";"  # ';' follows ':'
