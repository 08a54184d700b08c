"""Fixtures shared by every test: database URLs for SQLite and PostgreSQL.

PostgreSQL tests read the server's URL from SLA_LEDGER_TEST_POSTGRES_URL (the Makefile sets it to
the local server). Without it, or without a server, they are skipped, except under CI=true, where
a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

POSTGRES_URL_VARIABLE = "SLA_LEDGER_TEST_POSTGRES_URL"
DROP_ATTEMPTS = 5


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of the PostgreSQL server the tests may use (each test gets its own schema)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        _postgres_unavailable(f"{POSTGRES_URL_VARIABLE} is not set")
        raise AssertionError("unreachable")
    parsed = make_url(url)
    try:
        with psycopg.connect(
            dbname=parsed.database,
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password or "",
            connect_timeout=5,
        ):
            pass
    except psycopg.OperationalError as error:
        _postgres_unavailable(f"cannot connect to {parsed.render_as_string()}: {error}")
    return url


@pytest.fixture
def postgres_database_url(postgres_server_url: str) -> Iterator[str]:
    """A database URL naming a fresh schema, dropped after the test."""
    parsed = make_url(postgres_server_url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield parsed.update_query_dict({"schema": schema}).render_as_string(hide_password=False)
    # Servers are stopped by now, but a killed one's last transaction may still be ending in
    # PostgreSQL: a drop that meets it in a deadlock is tried again.
    for attempt in range(DROP_ATTEMPTS):
        try:
            with psycopg.connect(
                dbname=parsed.database,
                host=parsed.host,
                port=parsed.port or 5432,
                user=parsed.username,
                password=parsed.password or "",
                autocommit=True,
            ) as connection:
                connection.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
            return
        except psycopg.errors.DeadlockDetected:
            if attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.5)


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    """A database URL naming a new SQLite file."""
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each backend in turn."""
    fixture = "sqlite_database_url" if request.param == "sqlite" else "postgres_database_url"
    return str(request.getfixturevalue(fixture))
