"""The baselines of the ingest benchmarks: a raw bulk insert of the same rows, timed.

One transaction per batch into a table with a primary key on the row's identity: SQLite with
one executemany per batch, PostgreSQL with one COPY per batch in a scratch schema.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from psycopg import sql

from bench.harness import postgres_connection, scratch_schema


def sqlite_insert_rate(
    path: Path, create_table: str, table: str, batches: Sequence[Sequence[tuple[object, ...]]]
) -> float:
    """Rows per second for one executemany per batch, one transaction each."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(create_table + " WITHOUT ROWID")
    marks = ",".join("?" * len(batches[0][0]))
    started = time.perf_counter()
    for batch in batches:
        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return sum(len(b) for b in batches) / elapsed


def postgres_insert_rate(
    server_url: str, create_table: str, table: str, batches: Sequence[Sequence[tuple[object, ...]]]
) -> float:
    """Rows per second for one COPY per batch, one transaction each, in a scratch schema."""
    with scratch_schema(server_url) as (_, schema), postgres_connection(server_url) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        connection.execute(create_table)
        copy_into = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
        started = time.perf_counter()
        for batch in batches:
            with (
                connection.transaction(),
                connection.cursor() as cursor,
                cursor.copy(copy_into) as copy,
            ):
                for row in batch:
                    copy.write_row(row)
        elapsed = time.perf_counter() - started
    return sum(len(b) for b in batches) / elapsed
