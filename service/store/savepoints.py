"""Savepoints of one append inside a group's transaction (service/store/group_commit.py), in
each dialect, with the driver's errors turned into the event store's as the library turns them.

A failed append is rolled back to its savepoint, so the transaction goes on for the others. When
the database has already ended the transaction (SQLite rolls the whole transaction back on a
full disk or an I/O error; a PostgreSQL connection can drop), TransactionLostError says that
nothing of the group can be kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence
from psycopg.pq import TransactionStatus

from service.store.group_commit import TransactionLostError

_SAVEPOINT = "ledger_append"

# Most specific first, as eventsourcing.sqlite and eventsourcing.postgres translate them.
_SQLITE_ERRORS: tuple[tuple[type[Exception], type[persistence.PersistenceError]], ...] = (
    (sqlite3.InterfaceError, persistence.InterfaceError),
    (sqlite3.DataError, persistence.DataError),
    (sqlite3.OperationalError, persistence.OperationalError),
    (sqlite3.IntegrityError, persistence.IntegrityError),
    (sqlite3.InternalError, persistence.InternalError),
    (sqlite3.ProgrammingError, persistence.ProgrammingError),
    (sqlite3.NotSupportedError, persistence.NotSupportedError),
    (sqlite3.DatabaseError, persistence.DatabaseError),
    (sqlite3.Error, persistence.PersistenceError),
)
_POSTGRES_ERRORS: tuple[tuple[type[Exception], type[persistence.PersistenceError]], ...] = (
    (psycopg.InterfaceError, persistence.InterfaceError),
    (psycopg.OperationalError, persistence.OperationalError),
    (psycopg.DataError, persistence.DataError),
    (psycopg.IntegrityError, persistence.IntegrityError),
    (psycopg.InternalError, persistence.InternalError),
    (psycopg.ProgrammingError, persistence.ProgrammingError),
    (psycopg.NotSupportedError, persistence.NotSupportedError),
    (psycopg.DatabaseError, persistence.DatabaseError),
    (psycopg.Error, persistence.PersistenceError),
)


def _translated(
    error: Exception, table: tuple[tuple[type[Exception], type[persistence.PersistenceError]], ...]
) -> Exception:
    """The event store's error for a driver's error (other errors as they are), caused by it
    as the library's are (callers read the driver's error codes from the cause)."""
    for driver_error, store_error in table:
        if isinstance(error, driver_error):
            translated = store_error(str(error))
            translated.__cause__ = error
            return translated
    return error


@contextmanager
def sqlite_savepoint(cursor: Any) -> Iterator[None]:
    """One append's savepoint on SQLite (a sqlite3 cursor, or the library's that wraps one)."""
    connection: sqlite3.Connection = getattr(cursor, "sqlite_cursor", cursor).connection
    cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield
    except Exception as error:
        failure = _translated(error, _SQLITE_ERRORS)
        if not connection.in_transaction:
            raise TransactionLostError(str(error)) from failure
        try:
            cursor.execute(f"ROLLBACK TO {_SAVEPOINT}")
            cursor.execute(f"RELEASE {_SAVEPOINT}")
        except sqlite3.Error as rollback_error:
            raise TransactionLostError(str(rollback_error)) from failure
        if failure is error:
            raise
        raise failure from error
    cursor.execute(f"RELEASE {_SAVEPOINT}")


@contextmanager
def postgres_savepoint(cursor: Any) -> Iterator[None]:
    """One append's savepoint on PostgreSQL (a nested psycopg transaction)."""
    connection: psycopg.Connection[Any] = cursor.connection
    try:
        with connection.transaction():
            yield
    except Exception as error:
        failure = _translated(error, _POSTGRES_ERRORS)
        if connection.info.transaction_status != TransactionStatus.INTRANS:
            raise TransactionLostError(str(error)) from failure
        if failure is error:
            raise
        raise failure from error
