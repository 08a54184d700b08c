"""The statements of the hash chain's tables in each dialect, and how their rows are read.

Both the recorders (appends and the one-time adoption, inside their write transactions) and the
read-only log reader of `verify` use these, so there is one definition of each query. Rows are
read so that no content can raise: SQLite columns are typed per value, so its queries fetch each
column's type beside its bytes, and a stored row becomes a ChainedEvent or a Malformed naming
what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.sql import SQL, Composed, Identifier

from service.store.ledger_chain import (
    Adoption,
    ChainedEvent,
    Digest,
    LogBounds,
    Malformed,
    recorded_hash,
    stored_event,
)

CHAIN_TABLE = "ledger_chain"
ADOPTIONS_TABLE = "ledger_chain_adoptions"
_PLACEHOLDERS: dict[str, Any] = {"null": None, "integer": 0, "real": 0.0}


def quoted(identifier: str) -> str:
    """A PostgreSQL identifier in double quotes, as regclass reads it."""
    return '"' + identifier.replace('"', '""') + '"'


def values(row: Any) -> tuple[Any, ...]:
    """A row's values in column order, whatever the cursor's row factory."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


class ChainSQL:
    """The chain's statements in one dialect; subclasses fill them in."""

    create_statements: list[Any]
    select_bounds: Any  # -> first event, last event, first chained, last chained
    select_bounds_before: Any  # (position, position) -> select_bounds of the events before it
    select_bounds_of_events: Any  # -> first event, last event (for a log without a chain table)
    select_head: Any  # -> the last chain row
    select_hash_at: Any  # (position) -> the chain row there
    select_events: Any  # (first, last, limit) -> events at positions in [first, last]
    select_hashes: Any  # (first, last, limit) -> chain rows at positions in [first, last]
    select_adoption: Any  # -> the first adoption
    insert_adoption: Any  # (at, by, count, through position, hash)

    def insert_hashes(self, cursor: Any, hashes: Sequence[tuple[int, bytes]]) -> None:
        """Add chain rows (position, hash)."""
        raise NotImplementedError

    def bounds(self, row: Any) -> LogBounds:
        """The bounds a select_bounds row gives."""
        return LogBounds(*values(row))

    def event(self, row: Any) -> ChainedEvent | Malformed:
        """The event a select_events row holds, or what is wrong with it."""
        return stored_event(*values(row))

    def hash(self, row: Any) -> tuple[int, bytes] | Malformed:
        """The (position, hash) a select_hashes row holds, or what is wrong with it."""
        return recorded_hash(*values(row))

    def adoption(self, row: Any) -> Adoption:
        """The adoption a select_adoption row records (shown as stored, whatever it holds)."""
        by, at, count, position, digest = values(row)
        return Adoption(
            _text(by),
            _text(at),
            count if isinstance(count, int) else -1,
            Digest(
                position if isinstance(position, int) else -1,
                bytes(digest) if isinstance(digest, bytes | bytearray | memoryview) else b"",
            ),
        )


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode(errors="replace")
    return "" if value is None else str(value)


class SQLiteChainSQL(ChainSQL):
    """The chain's statements for SQLite, where rowid is the log position."""

    def __init__(self, events_table: str) -> None:
        chain, adoptions = CHAIN_TABLE, ADOPTIONS_TABLE
        self.create_statements = [
            f"CREATE TABLE IF NOT EXISTS {chain} "
            "(position INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {adoptions} (adopted_at TEXT NOT NULL, "
            "adopted_by TEXT NOT NULL, event_count INTEGER NOT NULL, "
            "through_position INTEGER NOT NULL, hash BLOB NOT NULL)",
        ]
        # MIN and MAX of a rowid or an INTEGER PRIMARY KEY read one end of the b-tree: cheap.
        self.select_bounds = (
            f"SELECT (SELECT MIN(rowid) FROM {events_table}), (SELECT MAX(rowid) FROM "
            f"{events_table}), (SELECT MIN(position) FROM {chain}), "
            f"(SELECT MAX(position) FROM {chain})"
        )
        self.select_bounds_before = (
            f"SELECT (SELECT MIN(rowid) FROM {events_table} WHERE rowid < ?), "
            f"(SELECT MAX(rowid) FROM {events_table} WHERE rowid < ?), "
            f"(SELECT MIN(position) FROM {chain}), (SELECT MAX(position) FROM {chain})"
        )
        self.select_bounds_of_events = f"SELECT MIN(rowid), MAX(rowid) FROM {events_table}"
        hash_columns = "position, typeof(hash), CAST(hash AS BLOB)"
        self.select_head = f"SELECT {hash_columns} FROM {chain} ORDER BY position DESC LIMIT 1"
        self.select_hash_at = f"SELECT {hash_columns} FROM {chain} WHERE position = ?"
        self.select_events = (
            "SELECT rowid, typeof(topic), CAST(topic AS BLOB), typeof(originator_id), "
            "CAST(originator_id AS BLOB), typeof(originator_version), "
            "CASE WHEN typeof(originator_version) = 'integer' THEN originator_version END, "
            f"typeof(state), CAST(state AS BLOB) FROM {events_table} "
            "WHERE rowid >= ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
        self.select_hashes = (
            f"SELECT {hash_columns} FROM {chain} WHERE position >= ? AND position <= ? "
            "ORDER BY position LIMIT ?"
        )
        self.select_adoption = (
            "SELECT CAST(adopted_by AS BLOB), CAST(adopted_at AS BLOB), "
            "CASE WHEN typeof(event_count) = 'integer' THEN event_count END, "
            "CASE WHEN typeof(through_position) = 'integer' THEN through_position END, "
            f"CAST(hash AS BLOB) FROM {adoptions} ORDER BY adopted_at LIMIT 1"
        )
        self.insert_adoption = (
            f"INSERT INTO {adoptions} (adopted_at, adopted_by, event_count, through_position, "
            "hash) VALUES (?, ?, ?, ?, ?)"
        )
        self._insert_hash = f"INSERT INTO {chain} (position, hash) VALUES (?, ?)"

    def insert_hashes(self, cursor: Any, hashes: Sequence[tuple[int, bytes]]) -> None:
        """Add chain rows (position, hash)."""
        cursor.executemany(self._insert_hash, hashes)

    def event(self, row: Any) -> ChainedEvent | Malformed:
        """The event a select_events row holds, or what is wrong with it."""
        position, *typed = values(row)
        topic, stream_id, version, state = (
            _sqlite_value(typed[i], typed[i + 1]) for i in range(0, 8, 2)
        )
        return stored_event(position, topic, stream_id, version, state)

    def hash(self, row: Any) -> tuple[int, bytes] | Malformed:
        """The (position, hash) a select_hashes row holds, or what is wrong with it."""
        position, kind, raw = values(row)
        return recorded_hash(position, _sqlite_value(kind, raw))


def _sqlite_value(kind: str, raw: Any) -> Any:
    """A column's value from its type and its bytes (for the version column, the integer or
    NULL); a stand-in of the same type where only the type matters."""
    if kind == "integer" and isinstance(raw, int):
        return raw
    if kind == "text" and isinstance(raw, bytes):
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return raw  # not valid text: reported as not text
    if kind == "blob" and isinstance(raw, bytes):
        return raw
    return _PLACEHOLDERS.get(kind, {"text": "", "blob": b""}.get(kind))


class PostgresChainSQL(ChainSQL):
    """The chain's statements for PostgreSQL, where notification_id is the log position."""

    def __init__(self, schema_name: str, events_table_name: str) -> None:
        schema = Identifier(schema_name)
        events = SQL("{}.{}").format(schema, Identifier(events_table_name))
        chain = SQL("{}.{}").format(schema, Identifier(CHAIN_TABLE))
        adoptions = SQL("{}.{}").format(schema, Identifier(ADOPTIONS_TABLE))
        self.create_statements = [
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY, hash bytea NOT NULL)"
            ).format(chain),
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (adopted_at text NOT NULL, adopted_by text NOT "
                "NULL, event_count bigint NOT NULL, through_position bigint NOT NULL, "
                "hash bytea NOT NULL)"
            ).format(adoptions),
        ]
        # MIN and MAX over the unique index of notification_id and the chain's primary key.
        self.select_bounds = SQL(
            "SELECT (SELECT MIN(notification_id) FROM {0}) AS first_event, "
            "(SELECT MAX(notification_id) FROM {0}) AS last_event, "
            "(SELECT MIN(position) FROM {1}) AS first_chained, "
            "(SELECT MAX(position) FROM {1}) AS last_chained"
        ).format(events, chain)
        self.select_bounds_before = SQL(
            "SELECT (SELECT MIN(notification_id) FROM {0} WHERE notification_id < %s) "
            "AS first_event, "
            "(SELECT MAX(notification_id) FROM {0} WHERE notification_id < %s) AS last_event, "
            "(SELECT MIN(position) FROM {1}) AS first_chained, "
            "(SELECT MAX(position) FROM {1}) AS last_chained"
        ).format(events, chain)
        self.select_bounds_of_events = SQL(
            "SELECT MIN(notification_id) AS first_event, MAX(notification_id) AS last_event FROM {}"
        ).format(events)
        self.select_head = SQL(
            "SELECT position, hash FROM {} ORDER BY position DESC LIMIT 1"
        ).format(chain)
        self.select_hash_at = SQL("SELECT position, hash FROM {} WHERE position = %s").format(chain)
        self.select_events = SQL(
            "SELECT notification_id, topic, originator_id, originator_version, state FROM {} "
            "WHERE notification_id >= %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(events)
        self.select_hashes = SQL(
            "SELECT position, hash FROM {} WHERE position >= %s AND position <= %s "
            "ORDER BY position LIMIT %s"
        ).format(chain)
        self.select_adoption = SQL(
            "SELECT adopted_by, adopted_at, event_count, through_position, hash FROM {} "
            "ORDER BY adopted_at LIMIT 1"
        ).format(adoptions)
        self.insert_adoption = SQL(
            "INSERT INTO {} (adopted_at, adopted_by, event_count, through_position, hash) "
            "VALUES (%s, %s, %s, %s, %s)"
        ).format(adoptions)
        self._insert_hashes: Composed = SQL(
            "INSERT INTO {} (position, hash) SELECT * FROM unnest(%s::bigint[], %s::bytea[])"
        ).format(chain)

    def insert_hashes(self, cursor: Any, hashes: Sequence[tuple[int, bytes]]) -> None:
        """Add chain rows (position, hash)."""
        cursor.execute(self._insert_hashes, ([p for p, _ in hashes], [h for _, h in hashes]))
