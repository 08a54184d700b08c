"""The database itself refuses to change or remove what the ledger recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.schema import MEASUREMENT_KEYS_TABLE, SPANS_TABLE
from service.store.storage import parse_database_url
from tests.integration.conftest import SIGNED_AT


@pytest.fixture
def ledger(database_url: str) -> Iterator[tuple[LedgerApplication, Engine, str]]:
    storage = parse_database_url(database_url)
    app = open_application(storage)
    url = make_url(database_url)
    schema = url.query.get("schema")
    engine = create_engine(url.difference_update_query(["schema"]))
    prefix = f'"{schema}".' if schema else ""
    yield app, engine, prefix
    engine.dispose()
    app.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {events} SET state = state",
        "DELETE FROM {events}",
        "UPDATE {keys} SET key = key",
        "DELETE FROM {keys}",
        "UPDATE {spans} SET last_us = last_us",
        "DELETE FROM {spans}",
    ],
)
def test_the_database_refuses_to_update_or_delete_recorded_events_keys_and_spans(
    ledger: tuple[LedgerApplication, Engine, str],
    make_terms: Callable[..., Any],
    make_readings: Callable[..., Any],
    statement: str,
) -> None:
    app, engine, prefix = ledger
    app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
    readings = make_readings(10)  # half with client ids (keyed), half by time slice (spanned)
    app.ingest.record_measurements(
        "acme-1",
        [r._replace(measurement_id=f"m-{i}") if i % 2 else r for i, r in enumerate(readings)],
    )
    tables = {
        "events": prefix + app.recorder.events_table_name,  # type: ignore[attr-defined]
        "keys": prefix + MEASUREMENT_KEYS_TABLE,
        "spans": prefix + SPANS_TABLE,
    }

    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement.format(**tables)))

    assert app.recorder.max_notification_id() == 2
    assert len(app.event_log.agreement_events("acme-1")) == 2


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_events(
    postgres_database_url: str, make_terms: Callable[..., Any]
) -> None:
    storage = parse_database_url(postgres_database_url)
    app = open_application(storage)
    url = make_url(postgres_database_url)
    engine = create_engine(url.difference_update_query(["schema"]))
    table = f'"{url.query["schema"]}".{app.recorder.events_table_name}'  # type: ignore[attr-defined]
    try:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)

        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table}"))

        assert app.recorder.max_notification_id() == 1
    finally:
        engine.dispose()
        app.close()
