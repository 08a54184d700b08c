"""Measurement ingest over gRPC against a raw executemany of the same rows, in one run.

Usage: python -m bench.ingest [--batches N] [--batch-size N] [--projections on|off] [--quick]

Starts `sla-ledger serve` on a free port with a SQLite file in a scratch directory, signs an
agreement, and sends batches of one-minute readings from this process (the server is another
process). The baseline inserts the same rows with one executemany per batch into a table with a
primary key on the reading's identity, in a fresh SQLite file beside the ledger's, one transaction
per batch. Both figures are readings per second; the ratio is ingest / baseline. With
--projections on (the default server) the server also keeps its read models current while it
ingests; off measures ingest alone, as with `sla-ledger project` workers in other processes.
--quick sends 2 batches of 1,000: it only checks that the harness works, its figures mean
nothing.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import grpc

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.generated.sla.ledger.v1 import terms_pb2

START_SECONDS = 1_767_225_600  # 2026-01-01T00:00:00Z


@contextmanager
def running_server(
    database_url: str, workdir: Path, extra_args: Sequence[str] = ()
) -> Iterator[int]:
    """A server process on a free port, started with extra_args besides; yields the port."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--log-level",
            "INFO",
            *extra_args,
        ],
        cwd=workdir,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            entry = json.loads(line)
            if entry.get("message") == "listening":
                port = int(entry["port"])
                break
        else:
            raise SystemExit("server exited before listening")
        # Keep reading the access log so the server never blocks on a full pipe.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def batches(count: int, size: int) -> list[pb.RecordMeasurementsRequest]:
    """count requests of size one-minute readings each, consecutive in time."""
    requests = []
    for b in range(count):
        request = pb.RecordMeasurementsRequest(agreement_id="bench")
        for i in range(size):
            m = request.measurements.add(objective_id="availability")
            m.observed_at.seconds = START_SECONDS + (b * size + i) * 60
            m.counts.good, m.counts.total = 59, 60
        requests.append(request)
    return requests


def sign(
    stub: pb_grpc.LedgerServiceStub, agreement_id: str = "bench", start_seconds: int = START_SECONDS
) -> None:
    """Sign the agreement the readings belong to, in force from start_seconds (UTC, monthly)."""
    terms = terms_pb2.AgreementTerms(
        provider=terms_pb2.Party(party_id="acme"),
        customer=terms_pb2.Party(party_id="globex"),
        kind=terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
        services=["api"],
        time_zone="UTC",
        fee=terms_pb2.Fee(
            amount=terms_pb2.Money(currency_code="EUR", amount="1000.00"),
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
        objectives=[
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent="99.9",
                period=terms_pb2.PERIOD_UNIT_MONTH,
            )
        ],
    )
    terms.term_start.seconds = start_seconds
    request = pb.SignAgreementRequest(agreement_id=agreement_id, terms=terms)
    request.signed_at.seconds = start_seconds
    stub.SignAgreement(request, timeout=30)


def raw_baseline(path: Path, requests: list[pb.RecordMeasurementsRequest]) -> float:
    """Readings per second for executemany of the same rows, one transaction per batch."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE readings (agreement_id TEXT, objective_id TEXT, measurement_id TEXT, "
        "observed_at_us INTEGER, good INTEGER, total INTEGER, "
        "PRIMARY KEY (agreement_id, objective_id, observed_at_us)) WITHOUT ROWID"
    )
    rows = [
        [
            (
                "bench",
                m.objective_id,
                m.measurement_id,
                m.observed_at.seconds * 1_000_000,
                m.counts.good,
                m.counts.total,
            )
            for m in request.measurements
        ]
        for request in requests
    ]
    started = time.perf_counter()
    for batch in rows:
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO readings VALUES (?,?,?,?,?,?)", batch)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return sum(len(b) for b in rows) / elapsed


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument(
        "--projections",
        choices=("on", "off"),
        default="on",
        help="run the read models in the server (the default server) or not",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 batches of 1,000: check the harness only"
    )
    options = parser.parse_args()
    if options.quick:
        options.batches, options.batch_size = 2, 1_000
    requests = batches(options.batches, options.batch_size)
    total = options.batches * options.batch_size
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        with (
            running_server(url, workdir, ["--projections", options.projections]) as port,
            grpc.insecure_channel(
                f"127.0.0.1:{port}",
                options=[("grpc.max_send_message_length", 64 * 1024 * 1024)],
            ) as channel,
        ):
            stub = pb_grpc.LedgerServiceStub(channel)
            sign(stub)
            started = time.perf_counter()
            recorded = sum(stub.RecordMeasurements(r, timeout=120).recorded_count for r in requests)
            ingest = total / (time.perf_counter() - started)
            started = time.perf_counter()
            duplicates = sum(
                stub.RecordMeasurements(r, timeout=120).duplicate_count for r in requests
            )
            resend = total / (time.perf_counter() - started)
        baseline = raw_baseline(workdir / "baseline.sqlite3", requests)
    assert recorded == total and duplicates == total, (recorded, duplicates)
    print(
        f"readings: {total} in batches of {options.batch_size}, SQLite, "
        f"projections {options.projections} in the server"
    )
    print(f"{'figure':<38}{'readings/s':>12}{'x baseline':>12}")
    print(f"{'raw executemany (baseline)':<38}{baseline:>12,.0f}{1:>12.2f}")
    print(f"{'RecordMeasurements over gRPC':<38}{ingest:>12,.0f}{ingest / baseline:>12.2f}")
    print(f"{'re-sent batches (all duplicates)':<38}{resend:>12,.0f}{resend / baseline:>12.2f}")
    if options.quick:
        print("--quick: a harness check; these figures mean nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
