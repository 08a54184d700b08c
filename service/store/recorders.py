"""Event recorders that also keep the measurement-key index in the same transaction.

The ``measurement_keys`` table holds one 128-bit key per recorded reading. It is written in
the transaction that appends the reading's MetricMeasured event, and its primary key makes a
second recording of the same reading fail, whatever the concurrency: deduplication is enforced
by the store, not only by code. Keys are kept for readings with a client id only.

A reading identified by its time slice belongs to exactly one objective-day stream, and the
stream's version check serialises every writer of that stream. The ``measured_spans`` table holds
the first and last such instant of each MetricMeasured event, written with it, so a batch finds
the events whose readings it may repeat and decodes only those. (Keys of time-slice readings
recorded before this table existed stay in the key index and are still looked up.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg.sql import SQL, Identifier, Literal

from domain.identifiers import agreement_stream, measurement_stream_prefix
from service.store.chain_sql import (
    ADOPTIONS_TABLE,
    CHAIN_TABLE,
    PostgresChainSQL,
    SQLiteChainSQL,
    quoted,
)
from service.store.chain_store import adopt, chain_head, chain_inserted, check_before_append
from service.store.command_requests import (
    COMMAND_REQUESTS_TABLE,
    SQLITE_CREATE,
    SQLITE_INSERT,
    SQLITE_SELECT,
    CommandRecord,
    CommandRequest,
    postgres_statements,
    record_of,
    request_row,
    sqlite_add_columns,
)
from service.store.ledger_chain import Adoption, Digest
from service.store.measurement_keys import KeySpan, key_spans

# (stream, version, first instant, last instant) of a MetricMeasured event's time-slice readings.
MeasuredSpan = tuple[str, int, int, int]
LOOKUP_CHUNK = 500
MEASUREMENT_KEYS_TABLE = "measurement_keys"
SPANS_TABLE = "measured_spans"
APPEND_ONLY = "the ledger is append-only: what it recorded is never changed or removed"


def _stream_name_range(prefix: str) -> tuple[str, str]:
    """The names starting with prefix are those from low (inclusive) to high (exclusive)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _span_limit(span: KeySpan) -> int:
    # A range read never costs much more than looking the span's keys up one by one.
    return 2 * len(span.keys) + 1


def _sort_span(
    span: KeySpan, in_span: list[bytes], found: set[bytes], scattered: list[bytes]
) -> None:
    """Add the span's keys its range read found to found; when the read hit its limit (the span
    is crowded with other readings) leave its keys to be looked up one by one instead."""
    if len(in_span) < _span_limit(span):
        found.update(set(span.keys).intersection(in_span))
    else:
        scattered.extend(span.keys)


def _chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite event recorder with the measurement-key index and ledger queries."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_sql = SQLiteChainSQL(events_table_name)  # the parent builds the statements
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        """The library's events table plus the measurement-key index."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {MEASUREMENT_KEYS_TABLE} "
            "(key BLOB PRIMARY KEY) WITHOUT ROWID",
            *self.chain_sql.create_statements,
            f"CREATE TABLE IF NOT EXISTS {SPANS_TABLE} (originator_id TEXT, "
            "originator_version INTEGER, first_us INTEGER NOT NULL, last_us INTEGER NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
            SQLITE_CREATE,
            *(
                f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{verb.lower()} "
                f"BEFORE {verb} ON {table} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
                for table in (
                    self.events_table_name,
                    MEASUREMENT_KEYS_TABLE,
                    CHAIN_TABLE,
                    ADOPTIONS_TABLE,
                    COMMAND_REQUESTS_TABLE,
                    SPANS_TABLE,
                )
                for verb in ("UPDATE", "DELETE")
            ),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        keys: Sequence[bytes] = kwargs.get("measurement_keys") or ()
        if keys:
            c.executemany(
                f"INSERT INTO {MEASUREMENT_KEYS_TABLE} (key) VALUES (?)", [(k,) for k in keys]
            )
        spans: Sequence[MeasuredSpan] = kwargs.get("measured_spans") or ()
        if spans:
            c.executemany(f"INSERT INTO {SPANS_TABLE} VALUES (?, ?, ?, ?)", spans)
        positions = list(super()._insert_events(c, stored_events, **kwargs) or ())
        # Checked after the first write: SQLite's BEGIN is deferred, and a transaction that reads
        # first cannot take the write lock once another writer has committed (SQLITE_BUSY, no
        # waiting). From the first write on it holds the lock: nothing can append in between.
        head = check_before_append(c, self.chain_sql, before=min(positions, default=1))
        chain_inserted(c, self.chain_sql, head, stored_events, positions)
        request: CommandRequest | None = kwargs.get("command_request")
        if request is not None and positions:
            c.execute(SQLITE_INSERT, request_row(request, positions))
        return positions

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        sqlite_add_columns(c)

    def command_record(self, key: str) -> CommandRecord | None:
        """What the command stored under this request key appended, if one was carried out."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQLITE_SELECT, (key,))
            row = c.fetchone()
        return None if row is None else record_of(key, tuple(row))

    def chain_head(self) -> Digest:
        """The ledger's digest: its last chained position and hash."""
        with self.datastore.transaction(commit=False) as c:
            return chain_head(c, self.chain_sql)

    def adopt_chain(self, by: str, at: datetime) -> Adoption:
        """Chain a log written before the chain existed, once, recording who did it and when."""
        with self.datastore.transaction(commit=True) as c:
            return adopt(c, self.chain_sql, by, at)

    def recorded_keys(self, keys: Sequence[bytes]) -> set[bytes]:
        """Those of keys already in the measurement-key index."""
        spans, scattered = key_spans(keys)
        found: set[bytes] = set()
        with self.datastore.transaction(commit=False) as c:
            for span in spans:
                c.execute(
                    f"SELECT key FROM {MEASUREMENT_KEYS_TABLE} WHERE key BETWEEN ? AND ? LIMIT ?",
                    (span.low, span.high, _span_limit(span)),
                )
                _sort_span(span, [bytes(row[0]) for row in c.fetchall()], found, scattered)
            for chunk in _chunks(scattered):
                c.execute(
                    f"SELECT key FROM {MEASUREMENT_KEYS_TABLE} "
                    f"WHERE key IN ({','.join('?' * len(chunk))})",
                    list(chunk),
                )
                found.update(bytes(row[0]) for row in c.fetchall())
        return found

    def events_spanning(self, spans: Mapping[str, tuple[int, int]]) -> list[StoredEvent]:
        """The events of each stream whose time-slice readings span into its (first, last)."""
        found: list[StoredEvent] = []
        with self.datastore.transaction(commit=False) as c:
            for stream, (first, last) in spans.items():
                c.execute(
                    f"SELECT e.topic, e.state, e.originator_version FROM {SPANS_TABLE} s "
                    f"JOIN {self.events_table_name} e ON e.originator_id = s.originator_id "
                    "AND e.originator_version = s.originator_version "
                    "WHERE s.originator_id = ? AND s.last_us >= ? AND s.first_us <= ?",
                    (stream, first, last),
                )
                found.extend(
                    StoredEvent(stream, row[2], row[0], _as_bytes(row[1])) for row in c.fetchall()
                )
        return found

    def stream_heads(self, stream_ids: Sequence[str]) -> dict[str, int]:
        """The last version of each of the streams that has events."""
        heads: dict[str, int] = {}
        with self.datastore.transaction(commit=False) as c:
            for chunk in _chunks(stream_ids):
                c.execute(
                    "SELECT originator_id, MAX(originator_version) "
                    f"FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))}) "
                    "GROUP BY originator_id",
                    list(chunk),
                )
                heads.update((row[0], row[1]) for row in c.fetchall())
        return heads

    def select_stream_notifications(
        self, stream_ids: Sequence[str], excluding: Collection[int] = ()
    ) -> list[Notification]:
        """Notifications of the named streams but those at the excluded positions, in log order."""
        found: list[Notification] = []
        skip = sorted(excluding)
        with self.datastore.transaction(commit=False) as c:
            for chunk in _chunks(stream_ids):
                c.execute(
                    f"SELECT rowid, * FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))}) "
                    f"AND rowid NOT IN ({','.join('?' * len(skip))})",
                    [*chunk, *skip],
                )
                found.extend(
                    Notification(
                        id=row["rowid"],
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    )
                    for row in c.fetchall()
                )
        return sorted(found, key=lambda n: n.id)

    def select_agreement_notifications(
        self, agreement_id: str, start: int, limit: int
    ) -> list[Notification]:
        """Notifications of one agreement's streams from position start, in log order."""
        low, high = _stream_name_range(measurement_stream_prefix(agreement_id))
        with self.datastore.transaction(commit=False) as c:
            # Ranges of the stream-name index, not a scan of the whole log.
            c.execute(
                f"SELECT rowid, * FROM {self.events_table_name} "
                "WHERE (originator_id = ? OR (originator_id >= ? AND originator_id < ?)) "
                "AND +rowid >= ? ORDER BY rowid LIMIT ?",  # + keeps the rowid index out of it
                [agreement_stream(agreement_id), low, high, start, limit],
            )
            return [
                Notification(
                    id=row["rowid"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in c.fetchall()
            ]


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL event recorder with the measurement-key index and ledger queries.

    Every append runs in one explicit transaction: lock the events table (so positions are
    committed in the order they are issued), insert measurement keys, insert the events with one
    INSERT ... SELECT FROM unnest(...) statement. The library's pipelined path (which can stall on
    saves of thousands of events) and its optional database function are never used.
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        keys_table = Identifier(MEASUREMENT_KEYS_TABLE)
        events_table = Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {}.{} (key bytea PRIMARY KEY)").format(
                schema, keys_table
            )
        )
        spans_table = Identifier(SPANS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (originator_id text, originator_version bigint, "
                "first_us bigint NOT NULL, last_us bigint NOT NULL, "
                "PRIMARY KEY (originator_id, originator_version))"
            ).format(schema, spans_table)
        )
        self._insert_spans = SQL(
            "INSERT INTO {}.{} SELECT * FROM unnest(%s::text[], %s::bigint[], %s::bigint[], "
            "%s::bigint[])"
        ).format(schema, spans_table)
        self._events_spanning = SQL(
            "SELECT e.topic, e.state, e.originator_version FROM {}.{} s JOIN {}.{} e "
            "ON e.originator_id = s.originator_id AND e.originator_version = s.originator_version "
            "WHERE s.originator_id = %s AND s.last_us >= %s AND s.first_us <= %s"
        ).format(schema, spans_table, schema, events_table)
        self.chain_sql = PostgresChainSQL(self.datastore.schema, self.events_table_name)
        self.sql_create_statements.extend(self.chain_sql.create_statements)
        creates, self._insert_request, self._select_request = postgres_statements(
            self.datastore.schema
        )
        self.sql_create_statements.extend(creates)
        refuse = Identifier("sla_ledger_refuse_change")
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {}.{}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION '{}' USING ERRCODE = 'insufficient_privilege'; END $$"
            ).format(schema, refuse, SQL(APPEND_ONLY))
        )
        for table_name in (
            self.events_table_name,
            MEASUREMENT_KEYS_TABLE,
            CHAIN_TABLE,
            ADOPTIONS_TABLE,
            COMMAND_REQUESTS_TABLE,
            SPANS_TABLE,
        ):
            for when, scope in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
                trigger_name = f"{table_name}_refuse_{when.split()[0].lower()}"
                create = SQL(
                    "CREATE TRIGGER {} BEFORE {} ON {}.{} FOR EACH {} EXECUTE FUNCTION {}.{}()"
                ).format(
                    Identifier(trigger_name),
                    SQL(when),
                    schema,
                    Identifier(table_name),
                    SQL(scope),
                    schema,
                    refuse,
                )
                # Only when missing: creating a trigger locks its table, and a starting server
                # must not wait behind a crashed one's open transaction.
                self.sql_create_statements.append(
                    SQL(
                        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = {} "
                        "AND tgrelid = {}::regclass) THEN {}; END IF; END $$"
                    ).format(
                        Literal(trigger_name),
                        Literal(f"{quoted(self.datastore.schema)}.{quoted(table_name)}"),
                        create,
                    )
                )
        self._insert_keys = SQL("INSERT INTO {}.{} (key) SELECT unnest(%s::bytea[])").format(
            schema, keys_table
        )
        self._select_keys = SQL("SELECT key FROM {}.{} WHERE key = ANY(%s::bytea[])").format(
            schema, keys_table
        )
        self._select_key_span = SQL(
            "SELECT key FROM {}.{} WHERE key BETWEEN %s AND %s LIMIT %s"
        ).format(schema, keys_table)
        self._select_heads = SQL(
            "SELECT originator_id, MAX(originator_version) AS head FROM {}.{} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(schema, events_table)
        self._select_streams = SQL(
            "SELECT * FROM {}.{} WHERE originator_id = ANY(%s) "
            "AND NOT notification_id = ANY(%s::bigint[]) ORDER BY notification_id"
        ).format(schema, events_table)
        # Stream names compared byte by byte whatever the database's collation, with an index
        # in that order, so an agreement's events are found without scanning the whole log.
        stream_name_index = f"{self.events_table_name}_stream_name_idx"
        self.sql_create_statements.append(
            SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relname = {} AND n.nspname = {}) THEN "
                'CREATE INDEX {} ON {}.{} (originator_id COLLATE "C", notification_id); '
                "END IF; END $$"
            ).format(
                Literal(stream_name_index),
                Literal(self.datastore.schema),
                Identifier(stream_name_index),
                schema,
                events_table,
            )
        )
        self._select_agreement = SQL(
            'SELECT * FROM {}.{} WHERE (originator_id COLLATE "C" = %s '
            'OR (originator_id COLLATE "C" >= %s AND originator_id COLLATE "C" < %s)) '
            "AND notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema, events_table)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append events (and any measurement keys) in one transaction; their positions."""
        if not stored_events:
            return []
        keys: Sequence[bytes] = kwargs.get("measurement_keys") or ()
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            # Holding the table lock: nothing can append between this check and the chain rows.
            head = check_before_append(curs, self.chain_sql)
            if keys:
                curs.execute(self._insert_keys, (list(keys),))
            spans: Sequence[MeasuredSpan] = kwargs.get("measured_spans") or ()
            if spans:
                curs.execute(self._insert_spans, [list(c) for c in zip(*spans, strict=True)])
            curs.execute(self.insert_events_statement, (events,))
            positions = [row["notification_id"] for row in curs.fetchall()]
            chain_inserted(curs, self.chain_sql, head, stored_events, positions)
            request: CommandRequest | None = kwargs.get("command_request")
            if request is not None and positions:
                curs.execute(self._insert_request, request_row(request, positions))
            self._notify_channel(curs)
        return positions

    def command_record(self, key: str) -> CommandRecord | None:
        """What the command stored under this request key appended, if one was carried out."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_request, (key,))
            row = curs.fetchone()
        return None if row is None else record_of(key, tuple(row.values()))

    def chain_head(self) -> Digest:
        """The ledger's digest: its last chained position and hash."""
        with self.datastore.transaction(commit=False) as curs:
            return chain_head(curs, self.chain_sql)

    def adopt_chain(self, by: str, at: datetime) -> Adoption:
        """Chain a log written before the chain existed, once, recording who did it and when."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            return adopt(curs, self.chain_sql, by, at)

    def recorded_keys(self, keys: Sequence[bytes]) -> set[bytes]:
        """Those of keys already in the measurement-key index."""
        spans, scattered = key_spans(keys)
        found: set[bytes] = set()
        with self.datastore.transaction(commit=False) as curs:
            for span in spans:
                curs.execute(self._select_key_span, (span.low, span.high, _span_limit(span)))
                _sort_span(span, [bytes(row["key"]) for row in curs.fetchall()], found, scattered)
            if scattered:
                curs.execute(self._select_keys, (scattered,))
                found.update(bytes(row["key"]) for row in curs.fetchall())
        return found

    def events_spanning(self, spans: Mapping[str, tuple[int, int]]) -> list[StoredEvent]:
        """The events of each stream whose time-slice readings span into its (first, last)."""
        found: list[StoredEvent] = []
        with self.datastore.transaction(commit=False) as curs:
            for stream, (first, last) in spans.items():
                curs.execute(self._events_spanning, (stream, first, last))
                found.extend(
                    StoredEvent(stream, r["originator_version"], r["topic"], bytes(r["state"]))
                    for r in curs.fetchall()
                )
        return found

    def stream_heads(self, stream_ids: Sequence[str]) -> dict[str, int]:
        """The last version of each of the streams that has events."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_heads, (list(stream_ids),))
            return {row["originator_id"]: row["head"] for row in curs.fetchall()}

    def select_stream_notifications(
        self, stream_ids: Sequence[str], excluding: Collection[int] = ()
    ) -> list[Notification]:
        """Notifications of the named streams but those at the excluded positions, in log order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_streams, (list(stream_ids), list(excluding)))
            return [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    def select_agreement_notifications(
        self, agreement_id: str, start: int, limit: int
    ) -> list[Notification]:
        """Notifications of one agreement's streams from position start, in log order."""
        low, high = _stream_name_range(measurement_stream_prefix(agreement_id))
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                self._select_agreement, (agreement_stream(agreement_id), low, high, start, limit)
            )
            return [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]


def _as_bytes(state: Any) -> bytes:
    """A stored state as bytes, even if someone wrote another type into the column."""
    return state.encode() if isinstance(state, str) else bytes(state)
