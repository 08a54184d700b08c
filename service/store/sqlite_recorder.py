"""The ledger's recorder on SQLite: its statements and how it passes lists and rows.

SQLite's BEGIN is deferred: an append takes the write lock at its first write, and checks the
hash chain after it (service/store/ledger_recorder.py). Lists are passed as placeholders, a
chunk at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from service.store.case_index import CASE_INDEX_TABLE
from service.store.chain_sql import SQLiteChainSQL
from service.store.command_requests import SQLITE_INSERT, SQLITE_SELECT, sqlite_add_columns
from service.store.ledger_recorder import LedgerRecorder, LedgerStatements, agreement_streams
from service.store.savepoints import sqlite_savepoint
from service.store.schema import MEASUREMENT_KEYS_TABLE, SPANS_TABLE, sqlite_tables
from service.store.subscriber_closes import SQLITE_INSERT as INSERT_CLOSES
from service.store.subscriber_closes import SQLITE_SELECT as SELECT_CLOSED

LOOKUP_CHUNK = 500
_CASE_COLUMNS = "agreement_id, case_id, opened_at_us, last_at_us, settled, settled_recorded_at_us"
_CASE_UPDATES = ", ".join(
    f"{column} = excluded.{column}" for column in _CASE_COLUMNS.split(", ")[2:]
)


def _chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


def _first_level(events: str) -> str:
    """The names in [:low, :high) with no '/' after :low: from each name found, the next is the
    least name beyond it that is not nested below it (or, from a nested name, below its first
    level), two index seeks a step."""

    def least(where: str) -> str:
        return f"(SELECT MIN(originator_id) FROM {events} WHERE {where})"

    slash = "instr(substr(x, :after), '/')"
    below = least("originator_id > x AND originator_id < x || '/'")
    beyond = least("originator_id >= x || '0' AND originator_id < :high")
    beyond_level = least(
        f"originator_id >= substr(x, 1, :length + {slash} - 1) || '0' AND originator_id < :high"
    )
    return (
        "WITH RECURSIVE walk(x) AS ("
        f"SELECT MIN(originator_id) FROM {events} WHERE originator_id >= :low "
        "AND originator_id < :high UNION ALL "
        f"SELECT CASE WHEN {slash} = 0 THEN COALESCE({below}, {beyond}) ELSE {beyond_level} END "
        f"FROM walk WHERE x IS NOT NULL) SELECT x FROM walk WHERE x IS NOT NULL AND {slash} = 0"
    )


def sqlite_statements(events: str) -> LedgerStatements:
    """The ledger's statements for SQLite, over the events table named events. Statements over
    lists have a {} for each list's placeholders."""
    return LedgerStatements(
        insert_keys=f"INSERT INTO {MEASUREMENT_KEYS_TABLE} (key) VALUES (?)",
        insert_spans=f"INSERT INTO {SPANS_TABLE} VALUES (?, ?, ?, ?)",
        insert_request=SQLITE_INSERT,
        select_request=SQLITE_SELECT,
        select_key_span=(
            f"SELECT key FROM {MEASUREMENT_KEYS_TABLE} WHERE key BETWEEN ? AND ? LIMIT ?"
        ),
        select_keys=f"SELECT key FROM {MEASUREMENT_KEYS_TABLE} WHERE key IN ({{}})",
        select_spanning=(
            f"SELECT e.topic, e.state, e.originator_version FROM {SPANS_TABLE} s "
            f"JOIN {events} e ON e.originator_id = s.originator_id "
            "AND e.originator_version = s.originator_version "
            "WHERE s.originator_id = ? AND s.last_us >= ? AND s.first_us <= ?"
        ),
        select_heads=(
            f"SELECT originator_id, MAX(originator_version) FROM {events} "
            "WHERE originator_id IN ({}) GROUP BY originator_id"
        ),
        select_streams=(
            f"SELECT rowid, * FROM {events} WHERE originator_id IN ({{}}) AND rowid NOT IN ({{}})"
        ),
        select_agreement=(
            f"SELECT rowid, * FROM {events} "
            "WHERE (originator_id = ? OR (originator_id >= ? AND originator_id < ?)) "
            "AND +rowid >= ? ORDER BY rowid LIMIT ?"  # + keeps the rowid index out of it
        ),
        count_between=f"SELECT COUNT(*) FROM {events} WHERE rowid BETWEEN ? AND ?",
        select_begun=(
            f"SELECT originator_id FROM {events} "
            "WHERE originator_id >= ? AND originator_id < ? AND originator_version = 1"
        ),
        select_last_begun=(
            f"SELECT originator_id, rowid FROM {events} WHERE rowid = (SELECT MAX(rowid) "
            f"FROM {events} WHERE originator_id >= ? AND originator_id < ? "
            "AND originator_version = 1)"
        ),
        select_first_level=_first_level(events),
        upsert_cases=(
            f"INSERT INTO {CASE_INDEX_TABLE} VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (agreement_id, case_id) DO UPDATE SET " + _CASE_UPDATES
        ),
        select_case_candidates=(
            f"SELECT case_id FROM {CASE_INDEX_TABLE} WHERE agreement_id = ? AND case_id > ? "
            "AND opened_at_us < ? AND NOT (settled AND last_at_us < ? "
            "AND COALESCE(settled_recorded_at_us <= ?, 0)) ORDER BY case_id LIMIT ?"
        ),
        select_cases=(
            f"SELECT {_CASE_COLUMNS} FROM {CASE_INDEX_TABLE} WHERE agreement_id = ? "
            "AND case_id > ? ORDER BY case_id LIMIT ?"
        ),
        insert_closes=INSERT_CLOSES,
        select_closed=SELECT_CLOSED,
    )


class LedgerSQLiteRecorder(LedgerRecorder, SQLiteApplicationRecorder):
    """SQLite event recorder with the measurement-key index and ledger queries."""

    locks_at_first_write = True
    empty_appends_checked = True

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_sql = SQLiteChainSQL(events_table_name)  # the parent builds the statements
        self.ledger_sql = sqlite_statements(events_table_name)
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        """The library's events table plus the ledger's tables."""
        return [
            *super().construct_create_table_statements(),
            *sqlite_tables(self.events_table_name, self.chain_sql),
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        sqlite_add_columns(c)

    def stored_sizes(
        self, start: int, limit: int, agreement_id: str = "", topics: Sequence[str] = ()
    ) -> list[tuple[int, int]]:
        """(position, bytes of the stored state) of up to limit events from position start, of
        one agreement ('' for all) and of some topics (none for all), in log order."""
        where, params = "+rowid >= ?", [start]  # + keeps the rowid index out of a filtered read
        if not agreement_id and not topics:
            where = "rowid >= ?"
        if agreement_id:
            own, low, high = agreement_streams(agreement_id)
            where += " AND (originator_id = ? OR (originator_id >= ? AND originator_id < ?))"
            params += [own, low, high]  # type: ignore[list-item]
        if topics:
            where += f" AND topic IN ({_marks(topics)})"
            params += list(topics)  # type: ignore[arg-type]
        statement = (
            f"SELECT rowid, length(state) FROM {self.events_table_name} "
            f"WHERE {where} ORDER BY rowid LIMIT ?"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, [*params, limit])
            return [(row[0], row[1] or 0) for row in c.fetchall()]

    def _transaction(self, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def _savepoint(self, c: Any) -> AbstractContextManager[None]:
        return sqlite_savepoint(c)

    def _lock_for_writes(self, c: Any) -> None:
        pass  # the first write takes the lock

    def _insert_many(self, c: Any, statement: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        c.executemany(statement, rows)

    def _insert_rows(self, c: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        return list(super()._insert_events(c, stored_events) or ())

    def _appended(self, c: Any) -> None:
        pass

    def _rows_among(
        self, c: Any, statement: Any, among: Sequence[Any], *more: Sequence[Any]
    ) -> list[Any]:
        rows: list[Any] = []
        for chunk in _chunks(among):
            c.execute(
                statement.format(_marks(chunk), *map(_marks, more)),
                [*chunk, *(value for values in more for value in values)],
            )
            rows.extend(c.fetchall())
        return rows

    def _notification(self, row: Any) -> Notification:
        return Notification(
            id=row["rowid"],
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
        )
