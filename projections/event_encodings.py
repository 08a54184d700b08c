"""Encoded events: every event of the log in the public schema, serialized once.

A stream catching up then sends stored bytes instead of decoding each stored event and mapping
it to a LedgerEvent again for every subscriber. The encoder (the public schema) is injected:
projections know no transport.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Table, insert, select

from projections.log_source import LoggedEvent
from projections.tables import encoded_events


@dataclass(frozen=True)
class EncodedEvent:
    """An event in the public schema: its agreement, its payload type and its bytes."""

    agreement_id: str
    event_type: str | None
    encoded: bytes


class EventEncoder(Protocol):
    """Turns a logged event into its public encoding; names the event topics it encodes."""

    @property
    def topics(self) -> frozenset[str]:
        """The topics of the events it encodes."""
        ...

    def encode(self, logged: LoggedEvent) -> EncodedEvent:
        """The public encoding of a logged event."""
        ...


class EventEncodings:
    """Projects every event into its serialized LedgerEvent."""

    # v2: status and kind enums, figures at their shown precision (domain/display.py)
    name = "event_encodings_v2"  # the version of encoded_events_v2
    tables: tuple[Table, ...] = (encoded_events,)

    def __init__(self, encoder: EventEncoder) -> None:
        self._encoder = encoder
        self.topics = encoder.topics

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Insert the encoding of every event of the batch."""
        rows = []
        for position, event in events:
            encoded = self._encoder.encode(LoggedEvent(position, event))
            rows.append(
                {
                    "position": position,
                    "agreement_id": encoded.agreement_id,
                    "event_type": encoded.event_type,
                    "encoded": encoded.encoded,
                }
            )
        if rows:
            connection.execute(insert(encoded_events), rows)


def read_encoded(
    connection: Connection,
    after: int,
    up_to: int,
    limit: int,
    agreement_id: str,
    event_types: Sequence[str],
    max_bytes: int,
) -> tuple[list[tuple[int, bytes]], bool]:
    """(position, encoded LedgerEvent) after a position and up to another, in log order,
    of one agreement ('' for all) and of some event types (none for all), until they reach
    max_bytes; and whether they were cut there (rows are streamed, never all loaded)."""
    c = encoded_events.c
    query = select(c.position, c.encoded).where(c.position > after, c.position <= up_to)
    if agreement_id:
        query = query.where(c.agreement_id == agreement_id)
    if event_types:
        query = query.where(c.event_type.in_(event_types))
    found: list[tuple[int, bytes]] = []
    used = 0
    rows = connection.execution_options(stream_results=True, yield_per=64).execute(
        query.order_by(c.position).limit(limit)
    )
    for position, encoded in rows:
        found.append((position, bytes(encoded)))
        used += len(encoded)
        if used >= max_bytes:
            rows.close()
            return found, True
    return found, False
