"""The command_requests table of a ledger written before counts and outcomes were kept gains
them at start-up, and its old rows still give a retry its reply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from service.api.command_replies import appended_by
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.command_requests import COMMAND_REQUESTS_TABLE, CommandRequest
from service.store.storage import parse_database_url
from tests.integration.conftest import SIGNED_AT

OLD_TABLE = (
    "CREATE TABLE {table} (request_id TEXT PRIMARY KEY, method TEXT NOT NULL, "
    "fingerprint {blob} NOT NULL, first_position {integer} NOT NULL, "
    "last_position {integer} NOT NULL)"
)


@pytest.fixture
def engine_and_table(database_url: str) -> Iterator[tuple[Engine, str]]:
    """An engine on the database and the command_requests table's qualified name."""
    url = make_url(database_url)
    schema = url.query.get("schema")
    engine = create_engine(url.difference_update_query(["schema"]))
    if schema:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    yield engine, (f'"{schema}".' if schema else "") + COMMAND_REQUESTS_TABLE
    engine.dispose()


def _open(database_url: str) -> LedgerApplication:
    storage = parse_database_url(database_url)
    return open_application(storage)


def _create_old_table(engine: Engine, table: str, legacy_row: tuple[Any, ...]) -> None:
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(
            text(
                OLD_TABLE.format(
                    table=table,
                    blob="bytea" if postgres else "BLOB",
                    integer="bigint" if postgres else "INTEGER",
                )
            )
        )
        connection.execute(
            text(f"INSERT INTO {table} VALUES (:id, :method, :fingerprint, :first, :last)"),
            dict(zip(("id", "method", "fingerprint", "first", "last"), legacy_row, strict=True)),
        )


def test_an_old_command_requests_table_gains_the_count_and_outcome_columns(
    database_url: str, engine_and_table: tuple[Engine, str], make_terms: Callable[..., Any]
) -> None:
    engine, table = engine_and_table
    _create_old_table(engine, table, ("old", "SignAgreement", b"x", 1, 1))

    app = _open(database_url)
    try:
        request = CommandRequest("new", "SignAgreement", b"y")
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT, request=request)
        record = app.idempotency.command_record("new")
    finally:
        app.close()

    assert record is not None
    assert record.appended_count == 1
    assert record.first_position == record.last_position == 1


def test_a_close_recorded_before_counts_were_kept_is_counted_from_the_log(
    database_url: str, engine_and_table: tuple[Engine, str], make_terms: Callable[..., Any]
) -> None:
    engine, table = engine_and_table
    # Positions are given in order on a new log: the signing is 1, the close's events follow.
    _create_old_table(engine, table, ("close-1", "ClosePeriod", b"z", 2, 4))

    app = _open(database_url)
    try:
        app.commands.sign_agreement("acme-1", make_terms(time_zone="UTC"), SIGNED_AT)
        closed = app.commands.close_periods("acme-1", SIGNED_AT + timedelta(days=95))
        record = app.idempotency.command_record("close-1")
        assert record is not None
        reported = appended_by(app, record)
    finally:
        app.close()

    assert [e.position for e in closed.events] == [2, 3, 4]
    assert (record.appended_count, reported.count) == (None, 3)
    assert [e.position for e in reported.listed] == [2, 3, 4]
