"""The byte limits that keep every event and every reply within --max-message-bytes.

- An event takes at most MAX_EVENT_BYTES (256 KiB) stored and in the public schema
  (domain.event_sizes): readings are cut into several events, terms and exclusions that would
  be larger are refused at the door, and the mapper refuses to store any larger event at all.
- A page of ListEvents and a SubscribeEvents response hold events up to
  page_bytes(max_message_bytes), always at least one, so a listing always moves on; the log is
  read for them a chunk of at most READ_CHUNK_BYTES at a time. (ListBreaches and ListCredits
  pages hold at most 1,000 rows of a few hundred bytes each, far below the smallest limit.)
- A command reply lists at most REPLY_EVENTS events of at most REPLY_EVENT_BYTES in all; the
  counts and positions it carries say where to read the rest.
- The server refuses to start with --max-message-bytes below MIN_MAX_MESSAGE_BYTES: below it,
  one largest event with its page's other fields could not be sent.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

from domain.errors import FailedPreconditionError, Reason, Violations
from domain.event_sizes import MAX_EVENT_BYTES, PAYLOAD_BYTES

MIN_MAX_MESSAGE_BYTES = 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024
# Kept free in every page for its other fields (tokens, positions) and the framing of each item.
PAGE_RESERVE_BYTES = 64 * 1024
REPLY_EVENTS = 100
REPLY_EVENT_BYTES = 512 * 1024
# What one read of the log may hold in stored rows before it is mapped to a page.
READ_CHUNK_BYTES = 4 * 1024 * 1024

if max(MAX_EVENT_BYTES, REPLY_EVENT_BYTES) > MIN_MAX_MESSAGE_BYTES - PAGE_RESERVE_BYTES:
    raise RuntimeError("the smallest --max-message-bytes must hold the largest event")


def page_bytes(max_message_bytes: int) -> int:
    """The bytes of items one page or response may hold under that message limit."""
    return max(MAX_EVENT_BYTES, max_message_bytes - PAGE_RESERVE_BYTES)


def item_bytes(size: int) -> int:
    """What an item of size bytes adds to a repeated field: its tag, length and itself."""
    return 1 + (size.bit_length() + 6) // 7 + size


def refuse_oversized_payload(
    path: str, stored_bytes: int, public_bytes: int, violations: Violations
) -> None:
    """Name path in violations when the payload an event would carry is too large to store."""
    size = max(stored_bytes, public_bytes)
    if size > PAYLOAD_BYTES:
        violations.add(
            path,
            f"encodes to {size} bytes; at most {PAYLOAD_BYTES}, so that its event stays within "
            f"the {MAX_EVENT_BYTES} bytes an event may take",
        )


class BoundedMapper(Mapper[str]):
    """The library's mapper, refusing to store an event larger than MAX_EVENT_BYTES."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """The stored event; FAILED_PRECONDITION when its state is too large."""
        stored = super().to_stored_event(domain_event)
        if len(stored.state) > MAX_EVENT_BYTES:
            raise FailedPreconditionError(
                f"a {type(domain_event).__name__} event would take {len(stored.state)} bytes, "
                f"more than the {MAX_EVENT_BYTES} an event may take; nothing was recorded",
                reason=Reason.EVENT_TOO_LARGE,
            )
        return stored
