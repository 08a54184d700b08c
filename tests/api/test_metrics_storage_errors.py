"""A storage failure a call ends with is counted by kind: an in-process server with metrics on
a SQLite file that may not grow (so the next append fails with SQLITE_FULL, as in
tests/integration/test_storage_full.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest

from service.api.server import RunningServer, start_server
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.config import ServeConfig
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.store.sqlite_recorder import LedgerSQLiteRecorder
from service.telemetry.metrics import LedgerMetrics
from tests import proto_builders as build

TIMEOUT = 10
TERM_START = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2024, 12, 15, tzinfo=UTC)
FIRST_READING_AT = datetime(2025, 2, 1, tzinfo=UTC)


@dataclass
class MeteredServer:
    running: RunningServer
    app: LedgerApplication
    metrics: LedgerMetrics
    stub: pb_grpc.LedgerServiceStub


@pytest.fixture
def metered(tmp_path: Path) -> Iterator[MeteredServer]:
    database_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    app = open_application(database_url)
    metrics = LedgerMetrics()
    config = ServeConfig(listen="127.0.0.1:0", database_url=database_url, workers=4)
    running = start_server(app, config, metrics=metrics)
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        yield MeteredServer(running, app, metrics, pb_grpc.LedgerServiceStub(channel))
    finally:
        channel.close()
        running.stop(grace_seconds=1)


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


def _count(metrics: LedgerMetrics, kind: str) -> float:
    return float(
        metrics.registry.get_sample_value("sla_ledger_storage_errors_total", {"kind": kind}) or 0
    )


def test_an_append_refused_by_full_storage_is_counted_as_storage_full(
    metered: MeteredServer,
) -> None:
    metered.stub.SignAgreement(build.sign_request("acme-1", TERM_START, SIGNED_AT), timeout=TIMEOUT)
    _limit_to_current_size(metered.app)

    with pytest.raises(grpc.RpcError) as refused:
        metered.stub.RecordMeasurements(
            build.minute_readings("acme-1", FIRST_READING_AT, 2_000), timeout=TIMEOUT
        )

    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert _count(metered.metrics, "storage_full") == 1
    assert _count(metered.metrics, "unavailable") == 0
