"""A database whose storage is full is reported as such: RESOURCE_EXHAUSTED, "storage is full".

On SQLite for real: the connections of the application's pool are limited to the pages the
file has (`PRAGMA max_page_count`, a per-connection setting), so the next append that needs a
page fails with SQLITE_FULL. PostgreSQL's disk_full (SQLSTATE 53100) cannot be provoked without
filling a server's disk, so its mapping is checked on the error as the driver raises it and the
recorder wraps it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from service.api.errors import STORAGE_FULL, is_storage_full, rich_status
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.sqlite_recorder import LedgerSQLiteRecorder
from service.store.storage import parse_database_url

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[LedgerApplication]:
    storage = parse_database_url(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    application = open_application(storage, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    yield application
    application.close()


def _limit_to_current_size(app: LedgerApplication) -> None:
    """Let no connection of the application's pool grow the database file."""
    recorder = app.ledger_recorder
    assert isinstance(recorder, LedgerSQLiteRecorder)
    pool = recorder.datastore.pool
    connections = [pool.get_connection() for _ in range(pool.num_in_pool)]
    try:
        for connection in connections:
            cursor = connection.cursor().sqlite_cursor
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
    finally:
        for connection in connections:
            pool.put_connection(connection)


def _wrapped_as_the_recorder_does(driver_error: Exception) -> OperationalError:
    try:
        try:
            raise driver_error
        except Exception as error:
            raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        return wrapped


def test_an_append_to_a_full_sqlite_database_is_resource_exhausted_saying_storage_is_full(
    app: LedgerApplication, make_terms: Any, make_readings: Any
) -> None:
    app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
    _limit_to_current_size(app)

    with pytest.raises(OperationalError) as refused:
        app.ingest.record_measurements("acme-1", make_readings(20_000))

    status = rich_status(refused.value)
    assert (status.code, status.details) == (grpc.StatusCode.RESOURCE_EXHAUSTED, STORAGE_FULL)


def test_postgres_disk_full_is_resource_exhausted_saying_storage_is_full() -> None:
    full = psycopg.errors.DiskFull('could not extend file "base/16384/16390": No space left')

    status = rich_status(_wrapped_as_the_recorder_does(full))

    assert (status.code, status.details) == (grpc.StatusCode.RESOURCE_EXHAUSTED, STORAGE_FULL)
    assert STORAGE_FULL.startswith("the ledger's storage is full; ")


@pytest.mark.parametrize(
    "driver_error",
    [
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        sqlite3.OperationalError("database is locked"),
    ],
    ids=["postgres-shutdown", "sqlite-locked"],
)
def test_other_storage_failures_stay_unavailable(driver_error: Exception) -> None:
    error = _wrapped_as_the_recorder_does(driver_error)

    assert not is_storage_full(error)
    assert rich_status(error).code is grpc.StatusCode.UNAVAILABLE
