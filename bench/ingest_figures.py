"""What the ingest benchmarks time: the ledger's rates over gRPC, and their baseline, a raw bulk
insert of the same rows.

The baseline is one transaction per batch into a table with a primary key on the row's
identity: SQLite with one executemany per batch, PostgreSQL with one COPY per batch in a
scratch schema.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import sql

from bench.harness import postgres_connection, scratch_schema
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc


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


@dataclass(frozen=True)
class IngestFigures:
    """Rows per second: acknowledged, read models caught up (None without), re-sent (all
    duplicates)."""

    acked: float
    caught_up: float | None
    resent: float


def timed_ingest(
    stub: pb_grpc.LedgerServiceStub,
    send: Callable[[Any], Any],
    requests: Sequence[Any],
    total: int,
    read_models: bool,
    catch_up_timeout: float,
) -> IngestFigures:
    """Send every request (each reply after its transaction), wait for the read models when
    there are any, then send them all again; the rates of the total rows."""
    started = time.perf_counter()
    replies = [send(r) for r in requests]
    acked = total / (time.perf_counter() - started)
    caught_up = None
    if read_models:
        last = pb.ListBreachesRequest(min_log_position=replies[-1].log_position, page_size=1)
        stub.ListBreaches(last, timeout=catch_up_timeout)
        caught_up = total / (time.perf_counter() - started)
    started = time.perf_counter()
    duplicates = sum(send(r).duplicate_count for r in requests)
    resent = total / (time.perf_counter() - started)
    recorded = sum(r.recorded_count for r in replies)
    assert recorded == total and duplicates == total, (recorded, duplicates, total)
    return IngestFigures(acked, caught_up, resent)
