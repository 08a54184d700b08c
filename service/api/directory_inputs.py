"""The inputs of ListAgreements and its page tokens; INVALID_ARGUMENT naming every bad field.

A token carries what the first page read at, so every later page reads the same facts: the
directory's log position and the as_of and known_at used (now, when the request left them
out), with the last agreement id shown, bound to the request's filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime

from domain.agreement_directory import DirectoryFilter
from domain.errors import FieldViolation, InvalidArgumentError, Violations
from domain.identifiers import is_identifier
from domain.input_ranges import END_SECONDS, MAX_POSITION
from domain.instants import from_epoch_us, to_epoch_us
from domain.terms import MAX_NAME_LENGTH
from service.api.listing_pages import page_size
from service.api.mapping.scalars import (
    enum_from_proto,
    filters_from_proto,
    instant_from_proto,
    position_from_proto,
)
from service.api.mapping.terms import KIND_FROM_PROTO
from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import terms_pb2

_VERSION = "d1"
_STATUS_FROM_PROTO = {
    terms_pb2.AGREEMENT_STATUS_ACTIVE: False,
    terms_pb2.AGREEMENT_STATUS_TERMINATED: True,
}


@dataclass(frozen=True)
class AgreementListing:
    """A ListAgreements page: the filter, the instants and position it reads at, where it
    starts, its size, and what its tokens are bound to."""

    where: DirectoryFilter
    as_of: datetime
    known_at: datetime
    position: int  # 0 on a first page: as far as the directory has got
    after: str
    size: int
    bound: str

    def next_token(self, position: int, last_id: str) -> str:
        """A token for the page after the one ending with last_id, read at position."""
        raw = "|".join(
            (
                _VERSION,
                self.bound,
                str(position),
                str(to_epoch_us(self.as_of)),
                str(to_epoch_us(self.known_at)),
                last_id,
            )
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def agreement_listing(
    request: discovery_pb.ListAgreementsRequest, now: datetime
) -> AgreementListing:
    """The listing a request asks for (as_of and known_at now when left out, or those of the
    token's first page); INVALID_ARGUMENT naming every malformed field."""
    violations = Violations()
    filters_from_proto(request, violations)
    if len(request.service) > MAX_NAME_LENGTH:
        violations.add("service", f"must be empty or 1 to {MAX_NAME_LENGTH} characters")
    kind = None
    if request.kind != terms_pb2.AGREEMENT_KIND_UNSPECIFIED:
        kind = enum_from_proto(request.kind, KIND_FROM_PROTO, "kind", violations)
    terminated = None
    if request.status != terms_pb2.AGREEMENT_STATUS_UNSPECIFIED:
        terminated = enum_from_proto(request.status, _STATUS_FROM_PROTO, "status", violations)
    as_of = instant_from_proto(request, "as_of", "as_of", violations, required=False)
    known_at = instant_from_proto(request, "known_at", "known_at", violations, required=False)
    size = page_size(request.page_size, violations)
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    where = DirectoryFilter(
        request.customer_id, request.provider_id, request.service, kind, terminated
    )
    bound = _fingerprint(where, as_of, known_at)
    listing = AgreementListing(where, as_of or now, known_at or now, 0, "", size, bound)
    if not request.page_token:
        return listing
    position, as_of_us, known_us, after = _decode(request.page_token, bound)
    return AgreementListing(
        where, from_epoch_us(as_of_us), from_epoch_us(known_us), position, after, size, bound
    )


def _fingerprint(where: DirectoryFilter, as_of: datetime | None, known_at: datetime | None) -> str:
    shown = repr((where, as_of and to_epoch_us(as_of), known_at and to_epoch_us(known_at)))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _decode(token: str, bound: str) -> tuple[int, int, int, str]:
    """(position, as_of µs, known_at µs, last id) of a token bound to bound."""
    invalid = InvalidArgumentError(
        [FieldViolation("page_token", "is not a token this listing issued")]
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, bound_to, *numbers, after = raw.split("|")
        position, as_of_us, known_us = (_number(n) for n in numbers)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if version != _VERSION or bound_to != bound or not is_identifier(after):
        raise invalid
    if not 0 < position <= MAX_POSITION or max(as_of_us, known_us) >= END_SECONDS * 1_000_000:
        raise invalid
    return position, as_of_us, known_us, after


def _number(text: str) -> int:
    """A non-negative decimal number of at most 18 digits; ValueError otherwise."""
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise ValueError(text)
    return int(text)
