"""A PostgreSQL URL's libpq parameters reach every connection the ledger opens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.bootstrap import open_application, open_read_models
from service.store.storage import DatabaseUrlError, SchemaLock, parse_database_url

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def application_name() -> str:
    return f"sla-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def url(postgres_database_url: str, application_name: str) -> str:
    parsed = make_url(postgres_database_url).update_query_dict(
        {"application_name": application_name, "connect_timeout": "7", "sslmode": "disable"}
    )
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def opened(url: str) -> Iterator[tuple[Any, Any]]:
    app = open_application(url)
    read_models = open_read_models(app, url)
    yield app, read_models
    read_models.stop()
    app.close()


def _sessions_named(server_url: str, application_name: str) -> int:
    parsed = make_url(server_url)
    with psycopg.connect(
        dbname=parsed.database, host=parsed.host, port=parsed.port, user=parsed.username
    ) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_the_event_store_connects_with_the_urls_libpq_parameters(
    opened: tuple[Any, Any], application_name: str
) -> None:
    app, _ = opened
    with app.recorder.datastore.get_connection() as connection:
        parameters = connection.info.get_parameters()
        shown = connection.execute("SHOW application_name").fetchone()

    assert (parameters["connect_timeout"], parameters["sslmode"]) == ("7", "disable")
    assert shown["application_name"] == application_name


def test_the_read_models_connect_with_the_urls_libpq_parameters(
    opened: tuple[Any, Any], application_name: str
) -> None:
    _, read_models = opened
    with read_models.engine.connect() as connection:
        raw: Any = connection.connection.driver_connection
        parameters = raw.info.get_parameters()
        shown = connection.execute(text("SHOW application_name")).scalar_one()

    assert (parameters["connect_timeout"], parameters["sslmode"]) == ("7", "disable")
    assert shown == application_name


def test_the_schema_lock_connects_with_the_urls_application_name(
    url: str, postgres_server_url: str, application_name: str
) -> None:
    with SchemaLock(parse_database_url(url)):
        held = _sessions_named(postgres_server_url, application_name)

    assert held == 1


def test_the_urls_application_name_shows_in_pg_stat_activity(
    opened: tuple[Any, Any], postgres_server_url: str, application_name: str
) -> None:
    assert _sessions_named(postgres_server_url, application_name) >= 2


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        ("sslmod=require", "unsupported URL parameter sslmod"),
        ("user=other", "give user in the URL itself"),
        ("connect_timeout=soon", "connect_timeout must be a whole number of seconds"),
    ],
)
def test_a_url_parameter_that_is_not_libpqs_is_refused(query: str, refusal: str) -> None:
    with pytest.raises(DatabaseUrlError, match=refusal):
        parse_database_url(f"{SERVER}?{query}")
