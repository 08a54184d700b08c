"""The ledger's recorder on PostgreSQL: its statements and how it passes lists and rows.

Every append runs in one explicit transaction: lock the events table (so positions are
committed in the order they are issued), check the hash chain, insert measurement keys, insert
the events (service/store/ledger_recorder.py): large states by binary COPY
(service/store/postgres_copy.py), small ones with one INSERT ... SELECT FROM unnest(...).
The library's pipelined path (which can stall on saves of thousands of events) and its optional
database function are never used. Lists are passed as arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Composable, Identifier

from service.store.case_index import CASE_INDEX_TABLE
from service.store.chain_sql import PostgresChainSQL
from service.store.command_requests import postgres_statements as request_statements
from service.store.ledger_recorder import LedgerRecorder, LedgerStatements, agreement_streams
from service.store.postgres_copy import (
    copy_events,
    copy_statement,
    reserve_statement,
    worth_copying,
)
from service.store.savepoints import postgres_savepoint
from service.store.schema import MEASUREMENT_KEYS_TABLE, SPANS_TABLE, postgres_tables
from service.store.subscriber_closes import postgres_statements as closes_statements

# Stream names are compared byte by byte, as the stream-name index orders them.
_CASE_COLUMNS = "agreement_id, case_id, opened_at_us, last_at_us, settled, settled_recorded_at_us"
_CASE_UPDATES = ", ".join(
    f"{column} = excluded.{column}" for column in _CASE_COLUMNS.split(", ")[2:]
)
_BEGUN = (
    'originator_id COLLATE "C" >= %s AND originator_id COLLATE "C" < %s AND originator_version = 1'
)


def _first_level() -> str:
    """The names in [low, high) with no '/' after low (as _first_level of sqlite_recorder.py),
    over the stream-name index in byte order; {} is the events table."""

    def least(where: str) -> str:
        return (
            f"(SELECT e.originator_id FROM {{0}} e WHERE {where} ORDER BY e.originator_id "
            'COLLATE "C" LIMIT 1)'
        )

    name = 'e.originator_id COLLATE "C"'
    slash = "strpos(substr(w.x, %(after)s), '/')"
    below = least(f"{name} > w.x AND {name} < w.x || '/'")
    beyond = least(f"{name} >= w.x || '0' AND {name} < %(high)s")
    beyond_level = least(
        f"{name} >= left(w.x, %(length)s + {slash} - 1) || '0' AND {name} < %(high)s"
    )
    return (
        "WITH RECURSIVE walk(x) AS ("
        + least(f"{name} >= %(low)s AND {name} < %(high)s")
        + f" UNION ALL SELECT CASE WHEN {slash} = 0 THEN COALESCE({below}, {beyond}) "
        f"ELSE {beyond_level} END FROM walk w WHERE w.x IS NOT NULL) "
        "SELECT w.x FROM walk w WHERE w.x IS NOT NULL AND " + slash + " = 0"
    )


def postgres_statements(schema_name: str, events_table: str) -> LedgerStatements:
    """The ledger's statements for PostgreSQL, in the named schema."""
    schema = Identifier(schema_name)
    keys = SQL("{}.{}").format(schema, Identifier(MEASUREMENT_KEYS_TABLE))
    spans = SQL("{}.{}").format(schema, Identifier(SPANS_TABLE))
    events = SQL("{}.{}").format(schema, Identifier(events_table))
    cases = SQL("{}.{}").format(schema, Identifier(CASE_INDEX_TABLE))
    _, insert_request, select_request = request_statements(schema_name)
    _, insert_closes, select_closed = closes_statements(schema_name)
    return LedgerStatements(
        insert_keys=SQL("INSERT INTO {} (key) SELECT unnest(%s::bytea[])").format(keys),
        insert_spans=SQL(
            "INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::bigint[], %s::bigint[], "
            "%s::bigint[])"
        ).format(spans),
        insert_request=insert_request,
        select_request=select_request,
        select_key_span=SQL("SELECT key FROM {} WHERE key BETWEEN %s AND %s LIMIT %s").format(keys),
        select_keys=SQL("SELECT key FROM {} WHERE key = ANY(%s::bytea[])").format(keys),
        select_spanning=SQL(
            "SELECT e.topic, e.state, e.originator_version FROM {} s JOIN {} e "
            "ON e.originator_id = s.originator_id AND e.originator_version = s.originator_version "
            "WHERE s.originator_id = %s AND s.last_us >= %s AND s.first_us <= %s"
        ).format(spans, events),
        select_heads=SQL(
            "SELECT originator_id, MAX(originator_version) AS head FROM {} "
            "WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(events),
        select_streams=SQL(
            "SELECT * FROM {} WHERE originator_id = ANY(%s) "
            "AND NOT notification_id = ANY(%s::bigint[]) ORDER BY notification_id"
        ).format(events),
        select_agreement=SQL(
            'SELECT * FROM {} WHERE (originator_id COLLATE "C" = %s '
            'OR (originator_id COLLATE "C" >= %s AND originator_id COLLATE "C" < %s)) '
            "AND notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(events),
        count_between=SQL(
            "SELECT COUNT(*) AS count FROM {} WHERE notification_id BETWEEN %s AND %s"
        ).format(events),
        select_begun=SQL("SELECT originator_id FROM {} WHERE " + _BEGUN).format(events),
        select_last_begun=SQL(
            "SELECT originator_id, notification_id FROM {} WHERE notification_id = (SELECT "
            "MAX(notification_id) FROM {} WHERE " + _BEGUN + ")"
        ).format(events, events),
        select_first_level=SQL(_first_level()).format(events),
        upsert_cases=SQL(
            "INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], "
            "%s::bigint[], %s::boolean[], %s::bigint[]) "
            "ON CONFLICT (agreement_id, case_id) DO UPDATE SET " + _CASE_UPDATES
        ).format(cases),
        select_case_candidates=SQL(
            "SELECT case_id FROM {} WHERE agreement_id = %s AND case_id > %s "
            "AND opened_at_us < %s AND NOT (settled AND last_at_us < %s "
            "AND COALESCE(settled_recorded_at_us <= %s, false)) ORDER BY case_id LIMIT %s"
        ).format(cases),
        select_cases=SQL(
            "SELECT " + _CASE_COLUMNS + " FROM {} WHERE agreement_id = %s AND case_id > %s "
            "ORDER BY case_id LIMIT %s"
        ).format(cases),
        insert_closes=insert_closes,
        select_closed=select_closed,
    )


class LedgerPostgresRecorder(LedgerRecorder, PostgresApplicationRecorder):
    """PostgreSQL event recorder with the measurement-key index and ledger queries."""

    locks_at_first_write = False
    empty_appends_checked = False

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_sql = PostgresChainSQL(self.datastore.schema, self.events_table_name)
        self.ledger_sql = postgres_statements(self.datastore.schema, self.events_table_name)
        self.copy_events_statement = copy_statement(self.datastore.schema, self.events_table_name)
        self.reserve_positions_statement = reserve_statement(
            self.datastore.schema, self.events_table_name
        )
        self.sql_create_statements.extend(
            postgres_tables(self.datastore.schema, self.events_table_name, self.chain_sql)
        )

    def stored_sizes(
        self, start: int, limit: int, agreement_id: str = "", topics: Sequence[str] = ()
    ) -> list[tuple[int, int]]:
        """(position, bytes of the stored state) of up to limit events from position start, of
        one agreement ('' for all) and of some topics (none for all), in log order."""
        where: Composable = SQL("notification_id >= %s")
        params: list[object] = [start]
        if agreement_id:
            where += SQL(
                ' AND (originator_id COLLATE "C" = %s OR (originator_id COLLATE "C" >= %s '
                'AND originator_id COLLATE "C" < %s))'
            )
            params += list(agreement_streams(agreement_id))
        if topics:
            where += SQL(" AND topic = ANY(%s)")
            params.append(list(topics))
        statement = SQL(
            "SELECT notification_id, octet_length(state) AS size FROM {}.{} WHERE {} "
            "ORDER BY notification_id LIMIT %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name), where)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, [*params, limit])
            return [(row["notification_id"], row["size"] or 0) for row in curs.fetchall()]

    def _transaction(self, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def _savepoint(self, c: Any) -> AbstractContextManager[None]:
        return postgres_savepoint(c)

    def _lock_for_writes(self, c: Any) -> None:
        self._lock_table(c)

    def _insert_many(self, c: Any, statement: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        c.execute(statement, [list(column) for column in zip(*rows, strict=True)])

    def _insert_rows(self, c: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        if worth_copying(stored_events):
            return copy_events(
                c, self.copy_events_statement, self.reserve_positions_statement, stored_events
            )
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        c.execute(self.insert_events_statement, (events,))
        return [row["notification_id"] for row in c.fetchall()]

    def _appended(self, c: Any) -> None:
        self._notify_channel(c)

    def _rows_among(
        self, c: Any, statement: Any, among: Sequence[Any], *more: Sequence[Any]
    ) -> list[Any]:
        c.execute(statement, (list(among), *map(list, more)))
        return list(c.fetchall())

    def _notification(self, row: Any) -> Notification:
        return Notification(
            id=row["notification_id"],
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
