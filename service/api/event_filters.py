"""The inputs of ListEvents: page size, token, event types and record-time range.

Event types of the whole ledger are filtered by the database (their topics); of one agreement,
and record times always, as each event is looked at. A page then looks at up to SCAN_EVENTS
events (at least page_size) and may hold fewer, even none: its token continues after the last
one looked at. A token of a listing without filters is the one issued before they existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.errors import Violations
from domain.input_ranges import shown
from domain.instants import to_epoch_us
from service.api.event_encoder import PAYLOAD_NAMES, PAYLOAD_TOPICS
from service.api.listing_pages import page_size
from service.api.mapping.scalars import filters_from_proto, instant_from_proto
from service.api.page_tokens import decode_page_token
from service.generated.sla.ledger.v1 import events_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

MAX_EVENT_TYPES = 64
SCAN_EVENTS = 1000  # events a filtered page may look at

Shown = Callable[[events_pb2.LedgerEvent], events_pb2.LedgerEvent | None]


@dataclass(frozen=True)
class EventFilter:
    """Which events a listing keeps: of these payload types (none: any), recorded in
    [recorded_from, recorded_to) (None: unbounded)."""

    names: frozenset[str] = frozenset()
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None

    @property
    def is_empty(self) -> bool:
        """Whether it keeps every event."""
        return not self.names and self.recorded_from is None and self.recorded_to is None

    def topics(self, agreement_id: str) -> tuple[str, ...]:
        """The topics the database filters by: the types' when listing the whole ledger."""
        if agreement_id or not self.names:
            return ()
        return tuple(sorted(topic for name in self.names for topic in PAYLOAD_TOPICS[name]))

    def keeps(self, agreement_id: str) -> Shown | None:
        """The check of each event the database did not filter; None when there is none."""
        by_type = bool(agreement_id and self.names)
        low = None if self.recorded_from is None else to_epoch_us(self.recorded_from)
        high = None if self.recorded_to is None else to_epoch_us(self.recorded_to)
        if not by_type and low is None and high is None:
            return None

        def kept(event: events_pb2.LedgerEvent) -> events_pb2.LedgerEvent | None:
            if by_type and event.WhichOneof("payload") not in self.names:
                return None
            recorded = event.recorded_at.ToMicroseconds()
            if (low is not None and recorded < low) or (high is not None and recorded >= high):
                return None
            return event

        return kept


@dataclass(frozen=True)
class EventsListing:
    """A ListEvents page: its size, where it starts, its filter and what its tokens bind."""

    size: int
    after: int
    where: EventFilter
    bound: str

    @property
    def scan(self) -> int:
        """How many events the page may look at."""
        return self.size if self.where.is_empty else max(self.size, SCAN_EVENTS)


def events_listing(request: pb.ListEventsRequest) -> EventsListing:
    """The page a ListEvents request asks for; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    size = page_size(request.page_size, violations)
    filters_from_proto(request, violations)
    if len(request.event_types) > MAX_EVENT_TYPES:
        violations.add("event_types", f"at most {MAX_EVENT_TYPES} event types")
    for index, name in enumerate(request.event_types[:MAX_EVENT_TYPES]):
        if name not in PAYLOAD_NAMES:
            violations.add(
                f"event_types[{index}]",
                f"unknown event type {shown(name)}; expected one of {', '.join(PAYLOAD_TOPICS)} "
                "or their JSON names (creditIssued)",
            )
    low = instant_from_proto(request, "recorded_from", "recorded_from", violations, required=False)
    high = instant_from_proto(request, "recorded_to", "recorded_to", violations, required=False)
    if low is not None and high is not None and high <= low:
        violations.add("recorded_to", "must be after recorded_from")
    violations.raise_if_any()
    where = EventFilter(frozenset(PAYLOAD_NAMES[name] for name in request.event_types), low, high)
    bound = request.agreement_id
    if not where.is_empty:  # a token of a filtered listing continues only that listing
        digest = hashlib.sha256(repr((sorted(where.names), low, high)).encode()).hexdigest()
        bound = f"{request.agreement_id}#{digest[:16]}"
    return EventsListing(size, decode_page_token(request.page_token, bound), where, bound)
