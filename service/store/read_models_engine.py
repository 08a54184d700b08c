"""The SQLAlchemy engine the read models use: the event log's database (and schema)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL

from service.store.storage import Storage


def read_models_engine(storage: Storage) -> Engine:
    """A SQLAlchemy engine on the same database (and schema) as the event log."""
    url: URL = storage.url
    if storage.is_postgres:
        schema = str(url.query.get("schema", "public"))
        engine = create_engine(
            url.set(drivername="postgresql+psycopg", query={}),
            connect_args=storage.libpq_options,
            pool_pre_ping=True,
            pool_size=5,
        )
        return engine.execution_options(schema_translate_map={None: schema})
    return create_engine(
        URL.create("sqlite", database=storage.env["SQLITE_DBNAME"]),
        connect_args={"timeout": 30},
    )
