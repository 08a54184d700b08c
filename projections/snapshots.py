"""A connection whose reads all see one committed state of the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one committed state of the database."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite begins no transaction before a SELECT: begin one by hand, so that every
            # read of it sees the same WAL snapshot.
            snapshot = connection.execution_options(isolation_level="AUTOCOMMIT")
            snapshot.exec_driver_sql("BEGIN")
            try:
                yield snapshot
            finally:
                snapshot.exec_driver_sql("ROLLBACK")
        else:
            snapshot = connection.execution_options(isolation_level="REPEATABLE READ")
            with snapshot.begin():
                yield snapshot
