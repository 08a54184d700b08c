"""A read-only view of the event log and its hash chain: the one place `verify` reads from.

It never writes and never creates a table or schema. A SQLite file is opened read-only
(``mode=ro``): beside the write-ahead log index of a running or killed server it reads that
index without writing to it (``readonly_shm``), so a copy on read-only media with its WAL files
verifies and stays byte-identical; a file without WAL is read as it stands (``immutable``); a WAL
whose index is missing is read from a temporary copy, since SQLite would otherwise create the
index beside it. PostgreSQL is read in one read-only repeatable-read transaction. Either way
everything is read in one snapshot, so a server appending meanwhile does not disturb the check.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from eventsourcing.persistence import OperationalError

from domain.errors import LedgerError, Reason
from service.store.chain_sql import (
    ADOPTIONS_TABLE,
    CHAIN_TABLE,
    ChainSQL,
    PostgresChainSQL,
    SQLiteChainSQL,
    quoted,
    values,
)
from service.store.ledger_chain import Adoption, ChainedEvent, LogBounds, Malformed
from service.store.storage import postgres_connection

# The names the eventsourcing library gives the application's events table.
SQLITE_EVENTS_TABLE = "stored_events"
POSTGRES_EVENTS_TABLE = "slaledger_events"


class NoLedgerError(Exception):
    """There is no ledger where the database URL points."""


class LogUnreadableError(LedgerError):
    """The database holding the log cannot be read as one (it is damaged)."""

    reason = Reason.LOG_UNREADABLE


class LogReader:
    """The events, chain rows and adoption of one snapshot of the log."""

    def __init__(self, cursor: Any, sql: ChainSQL, tables: set[str]) -> None:
        self._cursor = cursor
        self._sql = sql
        self._has_chain = CHAIN_TABLE in tables
        self._has_adoptions = ADOPTIONS_TABLE in tables

    def bounds(self) -> LogBounds:
        """The first and last positions of the events and of the chain."""
        if not self._has_chain:  # a log written before the chain existed
            first, last = self._row(self._sql.select_bounds_of_events)
            return LogBounds(first, last, None, None)
        return self._sql.bounds(self._row(self._sql.select_bounds))

    def hash_at(self, position: int) -> tuple[int, bytes] | Malformed | None:
        """The chain row at position, if there is one."""
        if not self._has_chain:
            return None
        self._cursor.execute(self._sql.select_hash_at, (position,))
        row = self._cursor.fetchone()
        return None if row is None else self._sql.hash(row)

    def events(self, first: int, last: int, limit: int) -> list[ChainedEvent | Malformed]:
        """Up to limit events at positions in [first, last], in log order."""
        self._cursor.execute(self._sql.select_events, (first, last, limit))
        return [self._sql.event(row) for row in self._cursor.fetchall()]

    def hashes(self, first: int, last: int, limit: int) -> list[tuple[int, bytes] | Malformed]:
        """Up to limit chain rows at positions in [first, last], in log order."""
        if not self._has_chain:
            return []
        self._cursor.execute(self._sql.select_hashes, (first, last, limit))
        return [self._sql.hash(row) for row in self._cursor.fetchall()]

    def adoption(self) -> Adoption | None:
        """The recorded adoption of the chain over an older log, if there was one."""
        if not self._has_adoptions:
            return None
        self._cursor.execute(self._sql.select_adoption)
        row = self._cursor.fetchone()
        return None if row is None else self._sql.adoption(row)

    def _row(self, statement: Any) -> tuple[Any, ...]:
        self._cursor.execute(statement)
        return values(self._cursor.fetchone())


@contextlib.contextmanager
def open_log_reader(env: Mapping[str, str]) -> Iterator[LogReader]:
    """A reader of the log a storage environment names; NoLedgerError when there is none,
    OperationalError when the database is out of reach, LogUnreadableError when damaged."""
    try:
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
            with _sqlite_reader(Path(env["SQLITE_DBNAME"])) as reader:
                yield reader
        else:
            with _postgres_reader(env) as reader:
                yield reader
    except (sqlite3.OperationalError, psycopg.OperationalError) as error:
        raise OperationalError(error) from error
    except (sqlite3.Error, psycopg.Error) as error:
        raise LogUnreadableError(f"the database cannot be read: {error}") from error


@contextlib.contextmanager
def _sqlite_reader(path: Path) -> Iterator[LogReader]:
    if not path.is_file():
        raise NoLedgerError(f"no ledger at {path}")
    wal, index = Path(f"{path}-wal"), Path(f"{path}-shm")
    with contextlib.ExitStack() as stack:
        opened = path
        if index.exists():
            query = "mode=ro&readonly_shm=1"
        elif not wal.exists() or wal.stat().st_size == 0:
            query = "mode=ro&immutable=1"  # no connection has it open: the file is the log
        else:
            opened = Path(stack.enter_context(tempfile.TemporaryDirectory())) / path.name
            shutil.copyfile(path, opened)
            shutil.copyfile(wal, f"{opened}-wal")
            query = "mode=ro"
        connection = sqlite3.connect(
            f"file:{quote(str(opened))}?{query}", uri=True, isolation_level=None
        )
        stack.callback(connection.close)
        cursor = connection.cursor()
        cursor.execute("BEGIN")  # one snapshot for every read
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in cursor.fetchall()}
        if SQLITE_EVENTS_TABLE not in tables:
            raise NoLedgerError(f"no ledger at {path}")
        yield LogReader(cursor, SQLiteChainSQL(SQLITE_EVENTS_TABLE), tables)


@contextlib.contextmanager
def _postgres_reader(env: Mapping[str, str]) -> Iterator[LogReader]:
    schema = env["POSTGRES_SCHEMA"]
    with psycopg.connect(
        **postgres_connection(env), options="-c default_transaction_read_only=on"
    ) as connection:
        connection.read_only = True
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.transaction(force_rollback=True), connection.cursor() as cursor:
            names = (POSTGRES_EVENTS_TABLE, CHAIN_TABLE, ADOPTIONS_TABLE)
            cursor.execute(
                "SELECT " + ", ".join(["to_regclass(%s) IS NOT NULL"] * len(names)),
                [f"{quoted(schema)}.{quoted(name)}" for name in names],
            )
            found = values(cursor.fetchone())
            tables = {name for name, exists in zip(names, found, strict=True) if exists}
            if POSTGRES_EVENTS_TABLE not in tables:
                raise NoLedgerError(f"no ledger in schema {schema} of {env['POSTGRES_DBNAME']}")
            yield LogReader(cursor, PostgresChainSQL(schema, POSTGRES_EVENTS_TABLE), tables)
