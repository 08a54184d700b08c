"""One database URL selects the event store: a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from service.store.postgres_options import (
    FACTORY_TOPIC,
    OPTIONS_KEY,
    decode_options,
    encode_options,
    libpq_options,
)

DEFAULT_DATABASE_URL = "sqlite:///sla-ledger.sqlite3"
POSTGRES_POOL_SIZE = 10
DEFAULT_CONNECT_TIMEOUT = 10
SQLITE_RECORDER_TOPIC = "service.store.sqlite_recorder:LedgerSQLiteRecorder"
POSTGRES_RECORDER_TOPIC = "service.store.postgres_recorder:LedgerPostgresRecorder"


class DatabaseUrlError(ValueError):
    """The database URL names no storage the ledger supports."""


@dataclass(frozen=True)
class Storage:
    """Where the event log lives and how the eventsourcing library reaches it."""

    url: URL
    env: dict[str, str]
    libpq: tuple[tuple[str, str], ...] = ()  # PostgreSQL: the URL's libpq connection options

    @property
    def libpq_options(self) -> dict[str, str]:
        """The libpq connection options every PostgreSQL connection is opened with."""
        return dict(self.libpq)

    @property
    def is_postgres(self) -> bool:
        """Whether the log lives in PostgreSQL."""
        return self.url.get_backend_name() == "postgresql"

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return self.url.render_as_string(hide_password=True)


def parse_database_url(text: str) -> Storage:
    """The storage a URL names.

    ``sqlite:///relative/file.sqlite3``, ``sqlite:////absolute/file.sqlite3``, or
    ``postgresql+psycopg://user:password@host:port/dbname[?schema=name&LIBPQ_PARAMETER=value]``
    (service/store/postgres_options.py).
    """
    try:
        url = make_url(text)
    except ArgumentError as error:
        raise DatabaseUrlError(f"not a database URL: {text!r}") from error
    backend = url.get_backend_name()
    common = {"ORIGINATOR_ID_TYPE": "text", "AGGREGATE_CACHE_MAXSIZE": "10000"}
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseUrlError("a SQLite URL must name a file, e.g. sqlite:///ledger.sqlite3")
        path = Path(url.database).resolve()
        return Storage(
            url,
            {
                **common,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": SQLITE_RECORDER_TOPIC,
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "30",
            },
        )
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", ""):
            raise DatabaseUrlError("PostgreSQL URLs use the psycopg driver: postgresql+psycopg://")
        if not url.database:
            raise DatabaseUrlError("a PostgreSQL URL must name a database")
        try:
            options = libpq_options(url.query)
        except ValueError as error:
            raise DatabaseUrlError(str(error)) from None
        schema = url.query.get("schema", "public")
        return Storage(
            url,
            {
                **common,
                "PERSISTENCE_MODULE": FACTORY_TOPIC,
                OPTIONS_KEY: encode_options(options),
                "APPLICATION_RECORDER_TOPIC": POSTGRES_RECORDER_TOPIC,
                "POSTGRES_DBNAME": url.database,
                "POSTGRES_HOST": url.host or "127.0.0.1",
                "POSTGRES_PORT": str(url.port or 5432),
                "POSTGRES_USER": url.username or "postgres",
                "POSTGRES_PASSWORD": url.password or "",
                "POSTGRES_SCHEMA": str(schema),
                "POSTGRES_POOL_SIZE": str(POSTGRES_POOL_SIZE),
                # How long a caller waits for a pooled connection; the URL's libpq timeout
                # when it gives one, so an unreachable server is reported that soon.
                "POSTGRES_CONNECT_TIMEOUT": str(
                    int(options.get("connect_timeout", "0")) or DEFAULT_CONNECT_TIMEOUT
                ),
                "POSTGRES_LOCK_TIMEOUT": "10",
            },
            tuple(sorted(options.items())),
        )
    raise DatabaseUrlError(
        f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://"
    )


def postgres_connection(env: Mapping[str, str]) -> dict[str, Any]:
    """The psycopg.connect keywords of a PostgreSQL storage's environment, with the URL's libpq
    options."""
    return {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": int(env["POSTGRES_PORT"]),
        "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"],
        "connect_timeout": int(env["POSTGRES_CONNECT_TIMEOUT"]),
        **decode_options(env.get(OPTIONS_KEY) or ""),
    }


class SchemaLock:
    """Serialises table creation across processes that start against one PostgreSQL database.

    Holds a session advisory lock on its own connection while the tables are created, so two
    replicas starting together never race on CREATE TABLE / CREATE TYPE.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def __enter__(self) -> SchemaLock:
        if self._storage.is_postgres:
            env = self._storage.env
            self._connection = psycopg.connect(**postgres_connection(env), autocommit=True)
            schema = env["POSTGRES_SCHEMA"]
            key = zlib.crc32(f"sla-ledger-schema:{schema}".encode())
            self._connection.execute("SELECT pg_advisory_lock(%s)", (key,))
            self._connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
