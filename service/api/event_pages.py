"""Pages of the audit trail cut by count and by bytes, built one chunk of the log at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import Message

from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.api.page_tokens import encode_page_token
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import events_pb2
from service.store.event_limits import item_bytes

Item = TypeVar("Item", bound=Message)


@dataclass(frozen=True)
class EventPage:
    """A page of events in log order, the last position it looked at, and whether a next page
    may follow it."""

    events: list[events_pb2.LedgerEvent]
    more: bool
    scanned_to: int = 0

    def next_token(self, bound: str) -> str:
        """A token for the page after this one, bound to its listing (an agreement, or '' all;
        with filters, service/api/event_filters.py); empty when this page was the last."""
        if not self.more:
            return ""
        return encode_page_token(bound, self.scanned_to or self.events[-1].position)


Shown = Callable[[events_pb2.LedgerEvent], events_pb2.LedgerEvent | None]


def event_page(
    app: LedgerApplication,
    agreement_id: str,
    after: int,
    size: int,
    max_bytes: int,
    shown: Shown | None = None,
    scan: int = 0,
    topics: Sequence[str] = (),
) -> EventPage:
    """Up to size events after position after (of one agreement, or '' all, or else of some
    topics) whose encodings take at most max_bytes, and at least one: a listing always moves
    on. With shown, each event as shown says (None: left out), so a page may hold fewer, even
    none, of the events it looked at: up to scan of them (0: size)."""
    page: list[events_pb2.LedgerEvent] = []
    used = scanned = last = 0
    limit = scan or size
    for chunk in app.event_log.chunks(after + 1, limit, agreement_id, topics):
        for notification in chunk:
            message: events_pb2.LedgerEvent | None = logged_event_to_proto(
                LoggedEvent(notification.position, notification.event())
            )
            if shown is not None and message is not None:
                message = shown(message)
            if message is not None:
                cost = item_bytes(message.ByteSize())
                if page and used + cost > max_bytes:
                    return EventPage(page, True, last)
                page.append(message)
                used += cost
            scanned += 1
            last = notification.position
            if len(page) == size and scanned < limit:
                return EventPage(page, True, last)
    return EventPage(page, scanned == limit and scanned > 0, last)


def both(first: Shown | None, second: Shown | None) -> Shown | None:
    """Each event as first shows it, then as second shows that (either None: the other)."""
    if first is None or second is None:
        return first or second

    def shown(event: events_pb2.LedgerEvent) -> events_pb2.LedgerEvent | None:
        kept = first(event)
        return None if kept is None else second(kept)

    return shown


def fitting(items: Sequence[Item], max_bytes: int) -> int:
    """How many of items, from the first, a reply can hold in max_bytes (at least one)."""
    used = 0
    for count, item in enumerate(items):
        used += item_bytes(item.ByteSize())
        if count and used > max_bytes:
            return count
    return len(items)
