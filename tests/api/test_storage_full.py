"""A real server whose disk fills up says so: RESOURCE_EXHAUSTED, "the ledger's storage is full".

The SQLite file lives on a 2 MiB tmpfs, so appends end with ENOSPC as on a full disk. Mounting
needs root with CAP_SYS_ADMIN; elsewhere the test is skipped (tests/integration/
test_storage_full.py covers the mapping on every machine).
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc

TIMEOUT = 30
MAX_BATCHES = 50


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A directory on its own 2 MiB tmpfs, unmounted at teardown."""
    directory = Path("/tmp") / f"sla-ledger-small-disk-{uuid.uuid4().hex[:8]}"
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(directory)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        directory.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield directory
    subprocess.run(["umount", "-l", str(directory)], check=False)
    directory.rmdir()


def test_a_server_whose_disk_is_full_answers_resource_exhausted_saying_storage_is_full(
    small_disk: Path,
    start_server: Callable[..., Any],
    sign_request: Callable[..., Any],
    minute_readings: Callable[..., Any],
) -> None:
    server = start_server(
        f"sqlite:///{small_disk / 'ledger.sqlite3'}",
        extra_args=("--close-periods", "off", "--projections", "off"),
    )
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    refusal = None
    for batch in range(MAX_BATCHES):
        request = minute_readings("sla-1", 10_000)
        for reading in request.measurements:  # each batch its own readings
            reading.observed_at.FromSeconds(reading.observed_at.seconds + batch * 600_000)
        try:
            stub.RecordMeasurements(request, timeout=TIMEOUT)
        except grpc.RpcError as error:
            refusal = error
            break

    assert refusal is not None, f"{MAX_BATCHES} batches fit on 2 MiB"
    assert refusal.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert refusal.details().startswith("the ledger's storage is full; ")
    logged = server.wait_for_log("RecordMeasurements failed", TIMEOUT)
    assert "database or disk is full" in logged["exception"]
