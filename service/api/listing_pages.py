"""Paging of the listings: page sizes, period-range fields and page tokens."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Violations
from service.api.mapping.credit_states import credit_states_from_proto
from service.api.mapping.read_models import breach_state_from_proto
from service.api.mapping.scalars import filters_from_proto, instant_from_proto, position_from_proto
from service.api.page_tokens import decode_page_token, encode_page_token
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    """The paging and period-range fields that read-model listings share."""

    size: int
    token: str
    start_from: datetime | None
    start_before: datetime | None
    retracted: bool | None = None  # breaches only: active (False), retracted (True) or any
    states: tuple[str, ...] = ()  # credits only: the credit states asked for (empty: any)

    @classmethod
    def of(cls, request: pb.ListBreachesRequest | pb.ListCreditsRequest) -> PageRequest:
        """The fields of a listing request; INVALID_ARGUMENT when any is malformed."""
        violations = Violations()
        size = page_size(request.page_size, violations)
        start_from = instant_from_proto(
            request, "period_start_from", "period_start_from", violations, required=False
        )
        start_before = instant_from_proto(
            request, "period_start_before", "period_start_before", violations, required=False
        )
        position_from_proto(request.min_log_position, "min_log_position", violations)
        filters_from_proto(request, violations)
        retracted: bool | None = None
        states: tuple[str, ...] = ()
        if isinstance(request, pb.ListBreachesRequest):
            retracted = breach_state_from_proto(request.state, "state", violations)
        else:
            states = credit_states_from_proto(request.states, "states", violations)
        violations.raise_if_any()
        return cls(size, request.page_token, start_from, start_before, retracted, states)

    def after(self, bound: str) -> int:
        """The log position the page starts after."""
        return decode_page_token(self.token, bound)

    def next_token(self, bound: str, rows: Sequence[Any]) -> str:
        """A token for the next page; empty when this page was the last."""
        return encode_page_token(bound, rows[-1].position) if len(rows) == self.size else ""


def page_size(requested: int, violations: Violations) -> int:
    """The page size a request asks for (0: the default); a violation when out of range."""
    if not 0 <= requested <= MAX_PAGE_SIZE:
        violations.add("page_size", f"must be between 0 and {MAX_PAGE_SIZE}")
    return requested or DEFAULT_PAGE_SIZE


def fingerprint(kind: str, where: object) -> str:
    """What a page token of a listing is bound to: its kind and its filter."""
    return f"{kind}-{hashlib.sha256(repr(where).encode()).hexdigest()[:16]}"
