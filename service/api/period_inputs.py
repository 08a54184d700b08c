"""The inputs of ListPeriodResults, read from its request, and its page tokens.

A token carries the key of the last period shown (window start, agreement, customer, objective,
label) and the known_at the listing reads at, bound to the request's filters, so it continues only
the listing it came from (INVALID_ARGUMENT otherwise). A listing without known_at reads at the
instant of its first page on every page; one with known_at must keep it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from domain.errors import FieldViolation, InvalidArgumentError, Violations
from domain.identifiers import is_identifier
from domain.instants import from_epoch_us, to_epoch_us
from projections.period_listing import PeriodFilter, PeriodKey
from service.api.listing_pages import fingerprint
from service.api.mapping.scalars import filters_from_proto, instant_from_proto, position_from_proto
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb

DEFAULT_PERIOD_PAGE = 50
MAX_PERIOD_PAGE = 500
_VERSION = "p1"


@dataclass(frozen=True)
class PeriodListing:
    """A ListPeriodResults page: its filter, known_at, size, and the key it continues after."""

    where: PeriodFilter
    known_at: datetime
    size: int
    after: PeriodKey | None
    bound: str

    def next_token(self, last: PeriodKey) -> str:
        """A token that continues this listing after last."""
        raw = json.dumps(
            [
                _VERSION,
                self.bound,
                to_epoch_us(self.known_at),
                to_epoch_us(last.window_start),
                last.agreement_id,
                last.customer_id,
                last.objective_id,
                last.period_label,
            ],
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def period_listing(request: history_pb.ListPeriodResultsRequest, now: datetime) -> PeriodListing:
    """The listing a request asks for; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    filters_from_proto(request, violations)
    if not request.agreement_id and not request.customer_id:
        violations.add("customer_id", "is required without agreement_id")
    known_at = instant_from_proto(request, "known_at", "known_at", violations, required=False)
    start_from = instant_from_proto(
        request, "window_start_from", "window_start_from", violations, required=False
    )
    start_to = instant_from_proto(
        request, "window_start_to", "window_start_to", violations, required=False
    )
    if start_from is not None and start_to is not None and start_to <= start_from:
        violations.add("window_start_to", "must be after window_start_from")
    if not 0 <= request.page_size <= MAX_PERIOD_PAGE:
        violations.add("page_size", f"must be between 0 and {MAX_PERIOD_PAGE}")
    position_from_proto(request.min_log_position, "min_log_position", violations)
    violations.raise_if_any()
    where = PeriodFilter(
        agreement_id=request.agreement_id,
        customer_id=request.customer_id,
        objective_id=request.objective_id,
        window_start_from=start_from,
        window_start_to=start_to,
    )
    bound = fingerprint("periods", where)
    after, token_known_at = _decode(request.page_token, bound)
    if token_known_at is not None and known_at not in (None, token_known_at):
        raise _invalid_token()
    at = token_known_at or known_at or now
    return PeriodListing(where, at, request.page_size or DEFAULT_PERIOD_PAGE, after, bound)


def _invalid_token() -> InvalidArgumentError:
    return InvalidArgumentError(
        [FieldViolation("page_token", "is not a token this listing issued")]
    )


def _decode(token: str, bound: str) -> tuple[PeriodKey | None, datetime | None]:
    """The key a token continues after and the known_at it reads at; (None, None) for none."""
    if not token:
        return None, None
    invalid = _invalid_token()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        fields = json.loads(raw)
        version, bound_to, known_us, start_us, agreement, customer, objective, label = fields
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise invalid from None
    texts = (agreement, customer, objective, label)
    if (
        version != _VERSION
        or bound_to != bound
        or type(start_us) is not int
        or type(known_us) is not int
        or not all(isinstance(t, str) for t in texts)
        or not all(is_identifier(t) for t in (agreement, objective, label))
        or not (customer == "" or is_identifier(customer))
    ):
        raise invalid
    try:
        start, known_at = from_epoch_us(start_us), from_epoch_us(known_us)
    except (ValueError, OverflowError):
        raise invalid from None
    return PeriodKey(start, agreement, customer, objective, label), known_at
