"""Opaque page tokens for ListEvents: a log position bound to the filter it was issued for."""

from __future__ import annotations

import base64
import binascii

from domain.errors import FieldViolation, InvalidArgumentError
from domain.input_ranges import MAX_POSITION

_VERSION = "e1"


def encode_page_token(agreement_id: str, after_position: int) -> str:
    """A token that continues a listing after after_position."""
    raw = f"{_VERSION}|{agreement_id}|{after_position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, agreement_id: str) -> int:
    """The position a token continues after; 0 for no token."""
    if not token:
        return 0
    invalid = InvalidArgumentError(
        [FieldViolation("page_token", "is not a token this listing issued")]
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, bound_agreement, position = raw.split("|")
        after = int(position) if position.isascii() and position.isdigit() else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if version != _VERSION or bound_agreement != agreement_id or not 0 <= after <= MAX_POSITION:
        raise invalid
    return after
