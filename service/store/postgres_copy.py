"""Events written to PostgreSQL with binary COPY: the states go over the wire as they are,
not dumped into the text of a composite array (twice their size in hex, then parsed again).

COPY cannot return the positions the ``notification_id`` sequence gives, so an append reserves
them from the sequence first and writes them with the rows. It does so holding the events
table's EXCLUSIVE lock (every writer takes it before its first insert), so no other writer takes
positions from the sequence until this transaction has committed: positions are committed in the
order they are issued, as with the library's INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier, Literal

from service.store.chain_sql import quoted

# Below this many bytes of states an INSERT's one round trip costs less than COPY's setup.
COPY_FROM_BYTES = 16_384
_COPY_TYPES = ("text", "int8", "text", "bytea", "int8")


def copy_statement(schema: str, table: str) -> Composed:
    """COPY of the events table's columns, positions included, from binary rows."""
    return SQL(
        "COPY {}.{} (originator_id, originator_version, topic, state, notification_id) "
        "FROM STDIN (FORMAT BINARY)"
    ).format(Identifier(schema), Identifier(table))


def reserve_statement(schema: str, table: str) -> Composed:
    """The next n positions of the events table's sequence, in the order it issues them."""
    return SQL(
        "SELECT nextval(pg_get_serial_sequence({}, 'notification_id')) AS position "
        "FROM generate_series(1, %s) ORDER BY 1"
    ).format(Literal(f"{quoted(schema)}.{quoted(table)}"))


def copy_events(
    cursor: Any, copy: Composed, reserve: Composed, stored_events: Sequence[StoredEvent]
) -> list[int]:
    """Write the events with their reserved positions, holding the events table's lock; their
    positions, in the order of the events."""
    cursor.execute(reserve, (len(stored_events),), prepare=True)
    positions = [int(row["position"]) for row in cursor.fetchall()]
    with cursor.copy(copy) as rows:
        rows.set_types(_COPY_TYPES)
        for event, position in zip(stored_events, positions, strict=True):
            rows.write_row(
                (event.originator_id, event.originator_version, event.topic, event.state, position)
            )
    return positions


def worth_copying(stored_events: Sequence[StoredEvent]) -> bool:
    """Whether these events' states are large enough for COPY to pay for itself."""
    return sum(len(event.state) for event in stored_events) >= COPY_FROM_BYTES
