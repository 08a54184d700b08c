"""The portal's agreement page over HTTP with a year of one-minute readings, in one run.

Usage: python -m bench.portal [--calls N] [--quick]

Starts `sla-ledger serve --close-periods off` on a free port with a SQLite file in a scratch
directory, signs one agreement with one RATIO objective (monthly, UTC) and records a year of
one-minute readings (525,600, November 2025 to October 2026) from this process as
MeasurementColumns blocks of 10,000 (the fast ingest of bench/ingest.py), then closes the eleven
months before October. Once the read models have caught up (ListBreaches with
min_log_position), it starts `sla-ledger portal` in front of the server (another process, on a
free port) and asks for the agreement's page at as_of = 2026-10-31T12:00Z and known_at just after
the last write, --calls times after one warm-up request, over one kept-alive HTTP connection; the
p50 and p99 (nearest rank) of the client-side latencies are printed. The page must answer 200.

Baseline in the same run: GetCompliance of the same agreement at the same as_of and known_at over
gRPC from this process (one of the reads the page makes), and GetAgreement (the floor of any
call). --quick records one week and makes 5 requests: it only checks that the harness works, its
figures mean nothing.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import grpc

from bench.harness import (
    CHANNEL_OPTIONS,
    goal,
    latencies_ms,
    percentile,
    quick_notice,
    running_server,
    sign,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.generated.sla.ledger.v1 import terms_pb2

MINUTE = 60
BATCH_SIZE = 10_000
YEAR_END = 1_793_491_200  # 2026-11-01T00:00:00Z
OCTOBER = 1_790_812_800  # 2026-10-01T00:00:00Z
YEAR_READINGS = 365 * 24 * 60
WEEK_READINGS = 7 * 24 * 60
AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)
AGREEMENT = "bench"
PORTAL_DEADLINE_SECONDS = 60.0
GOAL_MS = 100.0


def column_batches(count: int, end_seconds: int) -> Iterator[pb.RecordMeasurementsRequest]:
    """count consecutive one-minute readings ending at end_seconds, BATCH_SIZE per block."""
    first = end_seconds - count * MINUTE
    for offset in range(0, count, BATCH_SIZE):
        indexes = range(offset, min(offset + BATCH_SIZE, count))
        block = terms_pb2.MeasurementColumns(objective_id="availability")
        block.observed_at_micros.extend((first + i * MINUTE) * 1_000_000 for i in indexes)
        block.good.extend(59 if i % 97 == 0 else 60 for i in indexes)
        block.total.extend(60 for _ in indexes)
        yield pb.RecordMeasurementsRequest(agreement_id=AGREEMENT, columns=[block])


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_portal(ledger_target: str, workdir: Path) -> Iterator[int]:
    """A `sla-ledger portal` process in front of the ledger on a free port; yields the port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "portal",
            "--ledger",
            ledger_target,
            "--listen",
            f"127.0.0.1:{port}",
            "--log-level",
            "WARNING",
        ],
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + PORTAL_DEADLINE_SECONDS
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the portal exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the portal did not listen in time") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


def page_path(known_at: datetime) -> str:
    """The agreement page's path and query at the benchmark's as_of and known_at."""
    query = urllib.parse.urlencode({"as_of": AS_OF.isoformat(), "known_at": known_at.isoformat()})
    return f"/agreements/{AGREEMENT}?{query}"


def get_page(connection: http.client.HTTPConnection, path: str) -> int:
    """GET the page to its last byte; its size. Anything but 200 stops the benchmark."""
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:500]!r}")
    return len(body)


def record_year(stub: pb_grpc.LedgerServiceStub, readings: int) -> int:
    """Sign, record the readings and close every month before October; the last log position."""
    sign(stub, AGREEMENT, YEAR_END - readings * MINUTE)
    position = 0
    for request in column_batches(readings, YEAR_END):
        reply = stub.RecordMeasurements(request, timeout=120)
        position = max(position, reply.log_position)
    close = pb.ClosePeriodRequest(agreement_id=AGREEMENT)
    close.until.FromSeconds(OCTOBER)
    position = max(position, stub.ClosePeriod(close, timeout=600).log_position)
    stub.ListBreaches(pb.ListBreachesRequest(min_log_position=position), timeout=600)
    return int(position)


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="timed requests per figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    readings = YEAR_READINGS
    if options.quick:
        readings, options.calls = WEEK_READINGS, 5
    timings: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        with (
            running_server(url, workdir, ["--close-periods", "off"]) as server,
            grpc.insecure_channel(server.target, options=CHANNEL_OPTIONS) as channel,
        ):
            stub = pb_grpc.LedgerServiceStub(channel)
            record_year(stub, readings)
            known_at = datetime.now(UTC)
            compliance = pb.GetComplianceRequest(agreement_id=AGREEMENT)
            compliance.as_of.FromDatetime(AS_OF)
            compliance.known_at.FromDatetime(known_at)
            [objective] = stub.GetCompliance(compliance, timeout=120).report.objectives
            assert objective.period_label == "2026-10", objective
            agreement = pb.GetAgreementRequest(agreement_id=AGREEMENT)
            timings["floor"] = latencies_ms(
                partial(stub.GetAgreement, agreement, timeout=120), options.calls
            )
            timings["compliance"] = latencies_ms(
                partial(stub.GetCompliance, compliance, timeout=120), options.calls
            )
            with running_portal(server.target, workdir) as port:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                path = page_path(known_at)
                size = get_page(connection, path)
                timings["page"] = latencies_ms(partial(get_page, connection, path), options.calls)
                connection.close()

    def row(label: str, figures: list[float]) -> str:
        return f"{label:<52}{percentile(figures, 0.5):>10.1f}{percentile(figures, 0.99):>10.1f}"

    print(
        f"readings: {readings} one-minute readings of one RATIO objective in MeasurementColumns "
        f"blocks of {BATCH_SIZE}, SQLite; months before October closed"
    )
    print(
        f"page: GET {path.split('?')[0]} at as_of {AS_OF:%Y-%m-%dT%H:%MZ}, known_at after the "
        f"last write ({size} bytes); {options.calls} requests each, one kept-alive connection"
    )
    print(f"{'figure':<52}{'p50 ms':>10}{'p99 ms':>10}")
    print(row("GetAgreement over gRPC (floor)", timings["floor"]))
    print(row("GetCompliance over gRPC (baseline)", timings["compliance"]))
    print(row("agreement page over HTTP (sla-ledger portal)", timings["page"]))
    page_p50 = percentile(timings["page"], 0.5)
    ratio = page_p50 / percentile(timings["compliance"], 0.5)
    print(f"{'page / GetCompliance p50':<52}{ratio:>10.2f}")
    print()
    goal(
        "agreement page with a year of one-minute readings under 100 ms (p50)",
        f"{page_p50:.1f} ms",
        page_p50 < GOAL_MS,
    )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
