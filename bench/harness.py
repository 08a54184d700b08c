"""What every benchmark shares: a server process, the agreement it loads, timings and memory.

Benchmarks print their tables to standard output. A line starting with ``goal:`` states one goal
of the benchmarks issue, the figure measured against it and whether it was met; `python -m
bench` collects those lines into the summary of BENCHMARKS.md.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.generated.sla.ledger.v1 import terms_pb2

START_SECONDS = 1_767_225_600  # 2026-01-01T00:00:00Z
POSTGRES_URL_VARIABLES = ("SLA_LEDGER_BENCH_POSTGRES_URL", "SLA_LEDGER_TEST_POSTGRES_URL")
MAX_MESSAGE = 64 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE),
    ("grpc.max_receive_message_length", MAX_MESSAGE),
]


@dataclass(frozen=True)
class ServerProcess:
    """A running `sla-ledger serve` process: where it listens and its process id."""

    port: int
    pid: int

    @property
    def target(self) -> str:
        """The address a channel connects to."""
        return f"127.0.0.1:{self.port}"


@contextmanager
def running_server(
    database_url: str, workdir: Path, extra_args: Sequence[str] = ()
) -> Iterator[ServerProcess]:
    """A server process on a free port, started with extra_args besides; stopped on exit."""
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
    try:
        listening = _logged(process, "listening")
        yield ServerProcess(int(listening["port"]), process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def running_worker(database_url: str, workdir: Path) -> Iterator[int]:
    """A `sla-ledger project` process keeping the read models current; yields its pid."""
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "project", "--database-url", database_url],
        cwd=workdir,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _logged(process, "projecting")
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def _logged(process: subprocess.Popen[str], message: str) -> dict[str, Any]:
    """The first log entry of a starting process with this message; then its log is drained
    in a thread, so the process never blocks on a full pipe."""
    assert process.stderr is not None
    for line in process.stderr:
        entry: dict[str, Any] = json.loads(line)
        if entry.get("message") == message:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return entry
    raise SystemExit(f"the process exited before logging {message!r}")


@contextmanager
def channel_to(server: ServerProcess) -> Iterator[pb_grpc.LedgerServiceStub]:
    """A stub on a plaintext channel to server that sends and receives large messages."""
    with grpc.insecure_channel(server.target, options=CHANNEL_OPTIONS) as channel:
        yield pb_grpc.LedgerServiceStub(channel)


def agreement_terms(start_seconds: int = START_SECONDS) -> terms_pb2.AgreementTerms:
    """Terms with one monthly RATIO objective `availability` (99.9%), UTC, in force from start."""
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
    return terms


def sign(
    stub: pb_grpc.LedgerServiceStub, agreement_id: str = "bench", start_seconds: int = START_SECONDS
) -> None:
    """Sign the agreement the readings belong to, in force from start_seconds (UTC, monthly)."""
    request = pb.SignAgreementRequest(
        agreement_id=agreement_id, terms=agreement_terms(start_seconds)
    )
    request.signed_at.seconds = start_seconds
    stub.SignAgreement(request, timeout=30)


def minute_batches(
    count: int,
    size: int,
    agreement_id: str = "bench",
    first_seconds: int = START_SECONDS,
) -> list[pb.RecordMeasurementsRequest]:
    """count requests of size one-minute readings each, consecutive in time from first_seconds."""
    requests = []
    for b in range(count):
        request = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
        for i in range(size):
            m = request.measurements.add(objective_id="availability")
            m.observed_at.seconds = first_seconds + (b * size + i) * 60
            m.counts.good, m.counts.total = (59 if i % 97 == 0 else 60), 60
        requests.append(request)
    return requests


def percentile(timings: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def best_rate(measure: Callable[[], int], repeats: int) -> tuple[float, int]:
    """The best events per second of repeats runs, and the events each run handled."""
    best = 0.0
    count = 0
    for _ in range(repeats):
        started = time.perf_counter()
        count = measure()
        best = max(best, count / (time.perf_counter() - started))
    return best, count


def latencies_ms(call: Callable[[], object], calls: int) -> list[float]:
    """Milliseconds of calls calls, after one untimed warm-up call."""
    call()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def goal(text: str, figure: str, met: bool) -> None:
    """Print one goal of the benchmarks issue with the figure measured against it."""
    print(f"goal: {text} | {figure} | {'met' if met else 'NOT MET'}")


def quick_notice() -> None:
    """Say that --quick figures mean nothing."""
    print("--quick: a harness check; these figures mean nothing")


def rss_bytes(pid: int) -> tuple[int, int]:
    """The resident set size of a process and its descendants (a server's projection process)
    now and at each one's peak, summed (VmRSS, VmHWM), in bytes. The summed peaks bound the
    peak of the whole from above."""
    now = peak = 0
    for member in _process_tree(pid):
        fields: dict[str, int] = {}
        try:
            with Path(f"/proc/{member}/status").open() as status:
                for line in status:
                    name, _, value = line.partition(":")
                    if name in ("VmRSS", "VmHWM"):
                        fields[name] = int(value.split()[0]) * 1024
        except FileNotFoundError:  # it exited meanwhile
            continue
        now += fields.get("VmRSS", 0)
        peak += fields.get("VmHWM", 0)
    return now, peak


def settled_rss(pid: int, timeout: float = 30.0) -> int:
    """VmRSS of a process and its descendants once it has a child (a default server starts its
    projection process after it listens) and the sum stopped growing, or at the timeout."""
    deadline = time.monotonic() + timeout
    previous = -1
    while time.monotonic() < deadline:
        now = rss_bytes(pid)[0]
        if len(_process_tree(pid)) > 1 and abs(now - previous) < 1024 * 1024:
            return now
        previous = now
        time.sleep(0.5)
    return rss_bytes(pid)[0]


def _process_tree(pid: int) -> list[int]:
    tree, index = [pid], 0
    while index < len(tree):
        for children in Path(f"/proc/{tree[index]}/task").glob("*/children"):
            try:
                tree += [int(child) for child in children.read_text().split()]
            except FileNotFoundError:
                continue
        index += 1
    return tree


class RssSampler:
    """Samples a process's resident set size in a thread; the highest sample is kept."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, rss_bytes(self._pid)[0])


def postgres_server_url() -> str | None:
    """The PostgreSQL server benchmarks may use, or None; under CI=true a missing one fails."""
    for variable in POSTGRES_URL_VARIABLES:
        url = os.environ.get(variable)
        if url:
            break
    else:
        if os.environ.get("CI", "").lower() == "true":
            raise SystemExit(f"CI=true requires PostgreSQL: set {POSTGRES_URL_VARIABLES[0]}")
        return None
    with postgres_connection(url):
        pass  # fails loudly when the server named is not there
    return url


def postgres_connection(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit psycopg connection to the database a SQLAlchemy-style URL names."""
    parsed = make_url(url)
    return psycopg.connect(
        dbname=parsed.database,
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password or "",
        connect_timeout=5,
        autocommit=True,
    )


@contextmanager
def scratch_schema(server_url: str) -> Iterator[tuple[str, str]]:
    """A fresh schema on the PostgreSQL server: (database URL naming it, schema name); dropped."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    url = make_url(server_url).update_query_dict({"schema": schema})
    try:
        yield url.render_as_string(hide_password=False), schema
    finally:
        with postgres_connection(server_url) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )
