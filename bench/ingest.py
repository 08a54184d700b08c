"""Measurement ingest over gRPC against a raw bulk insert of the same rows, in one run.

Usage: python -m bench.ingest [--backend sqlite|postgres|both] [--readings N]
       [--batch-sizes 1000,10000] [--projections process,on,worker,off] [--quick]

For each backend and batch size: starts `sla-ledger serve` on a free port (a SQLite file in a
scratch directory, or a scratch schema on the PostgreSQL server named by
SLA_LEDGER_BENCH_POSTGRES_URL or SLA_LEDGER_TEST_POSTGRES_URL), signs an agreement, and sends
--readings one-minute readings in RecordMeasurements batches from this process (the server is
another process); each reply comes after the batch's transaction committed. Then it sends every
batch again (all duplicates). It does this for each place of the read models and each request form,
each time with a new database: the readings as Measurement messages, and as one MeasurementColumns
block per batch. The baseline inserts the same rows, one transaction per batch, into a table with a
primary key on the reading's identity in the same database: SQLite with one executemany per batch,
PostgreSQL with one COPY per batch. Figures are readings per second; the ratio is to the baseline,
and the goal is on the acknowledged rate. --projections says where the read models run: process, in
the server's child process (the default server); on, in a thread of the server; worker, in a
`sla-ledger project` process started beside a server run with --projections off; off, nowhere
(ingest alone). With read models, the table also shows the rate counted until they had caught up
with the last batch (ListBreaches with min_log_position). --quick sends 2 batches of 1,000 per
backend: it only checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.harness import (
    channel_to,
    goal,
    minute_batches,
    postgres_server_url,
    quick_notice,
    running_server,
    running_worker,
    scratch_schema,
    sign,
)
from bench.ingest_figures import (
    IngestFigures,
    postgres_insert_rate,
    sqlite_insert_rate,
    timed_ingest,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2

GOAL_RATIO = 0.5
Row = tuple[str, str, str, int, int, int]


def rows_of(requests: Sequence[pb.RecordMeasurementsRequest]) -> list[list[Row]]:
    """The rows the baseline inserts: one list per batch."""
    return [
        [
            (
                request.agreement_id,
                m.objective_id,
                m.measurement_id,
                m.observed_at.seconds * 1_000_000 + m.observed_at.nanos // 1000,
                m.counts.good,
                m.counts.total,
            )
            for m in request.measurements
        ]
        for request in requests
    ]


READINGS_TABLE = (
    "CREATE TABLE readings (agreement_id TEXT, objective_id TEXT, measurement_id TEXT, "
    "observed_at_us BIGINT, good BIGINT, total BIGINT, "
    "PRIMARY KEY (agreement_id, objective_id, observed_at_us))"
)


def sqlite_baseline(path: Path, batches: list[list[Row]]) -> float:
    """Readings per second inserted raw into SQLite (bench/ingest_figures.py)."""
    return sqlite_insert_rate(path, READINGS_TABLE, "readings", batches)


def postgres_baseline(server_url: str, batches: list[list[Row]]) -> float:
    """Readings per second inserted raw into PostgreSQL (bench/ingest_figures.py)."""
    return postgres_insert_rate(server_url, READINGS_TABLE, "readings", batches)


def as_columns(request: pb.RecordMeasurementsRequest) -> pb.RecordMeasurementsRequest:
    """The same readings (one objective, counts, no ids) as one block of columns."""
    block = terms_pb2.MeasurementColumns(objective_id=request.measurements[0].objective_id)
    block.observed_at_micros.extend(
        m.observed_at.seconds * 1_000_000 + m.observed_at.nanos // 1000
        for m in request.measurements
    )
    block.good.extend(m.counts.good for m in request.measurements)
    block.total.extend(m.counts.total for m in request.measurements)
    return pb.RecordMeasurementsRequest(agreement_id=request.agreement_id, columns=[block])


def reading_count(request: pb.RecordMeasurementsRequest) -> int:
    """How many readings a request carries, as messages and in columns."""
    return len(request.measurements) + sum(len(c.observed_at_micros) for c in request.columns)


def ingest_rates(
    database_url: str, workdir: Path, requests: list[pb.RecordMeasurementsRequest], mode: str
) -> IngestFigures:
    """Record requests over gRPC (and wait for the read models), then re-send them all."""
    total = sum(reading_count(r) for r in requests)
    server_flag = "off" if mode == "worker" else mode
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(
            running_server(
                database_url, workdir, ["--projections", server_flag, "--close-periods", "off"]
            )
        )
        if mode == "worker":
            stack.enter_context(running_worker(database_url, workdir))
        stub = stack.enter_context(channel_to(server))
        sign(stub)
        figures = timed_ingest(
            stub,
            lambda r: stub.RecordMeasurements(r, timeout=300),
            requests,
            total,
            mode != "off",
            600,
        )
    return figures


MODE_LABELS = {
    "process": "read models in the server's child process",
    "on": "read models in a server thread",
    "worker": "read models in a project worker",
    "off": "no read models",
}


def measure(
    backend: str,
    batch_size: int,
    readings: int,
    modes: Sequence[str],
    workdir: Path,
    postgres_url: str | None,
) -> dict[tuple[str, str], float]:
    """Print one backend's table at one batch size; the acked / baseline ratio of each
    (read models, request form)."""
    requests = minute_batches(readings // batch_size, batch_size)
    forms = {"messages": requests, "columns": [as_columns(r) for r in requests]}
    figures: dict[tuple[str, str], IngestFigures] = {}
    for mode in modes:
        for form, sent in forms.items():
            if backend == "sqlite":
                url = f"sqlite:///{workdir / f'ledger-{batch_size}-{mode}-{form}.sqlite3'}"
                figures[mode, form] = ingest_rates(url, workdir, sent, mode)
            else:
                assert postgres_url is not None
                with scratch_schema(postgres_url) as (url, _):
                    figures[mode, form] = ingest_rates(url, workdir, sent, mode)
    rows = rows_of(requests)
    if backend == "sqlite":
        rate = sqlite_baseline(workdir / f"baseline-{batch_size}.sqlite3", rows)
        name, raw = "SQLite", "raw executemany (baseline)"
    else:
        assert postgres_url is not None
        rate = postgres_baseline(postgres_url, rows)
        name, raw = "PostgreSQL", "raw COPY (baseline)"
    print(f"\n{name}: {len(requests) * batch_size} readings in batches of {batch_size}")
    print(f"{'figure':<70}{'readings/s':>12}{'x baseline':>12}")
    print(f"{raw:<70}{rate:>12,.0f}{1:>12.2f}")
    for (mode, form), found in figures.items():
        lines = [(f"{MODE_LABELS[mode]}, {form}: acknowledged", found.acked)]
        if found.caught_up is not None:
            lines.append(("  read models caught up", found.caught_up))
        lines.append(("  re-sent (all duplicates)", found.resent))
        for label, figure in lines:
            print(f"{label:<70}{figure:>12,.0f}{figure / rate:>12.2f}")
    return {key: found.acked / rate for key, found in figures.items()}


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--readings", type=int, default=200_000, help="readings per figure")
    parser.add_argument("--batch-sizes", default="1000,10000", help="comma-separated")
    parser.add_argument(
        "--projections",
        default="process,on",
        help="comma-separated: process (the default server: read models in its child process), "
        "on (in a thread of the server), worker (in a `sla-ledger project` process started "
        "beside a server without them), off (none)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 batches of 1,000: check the harness only"
    )
    options = parser.parse_args()
    sizes = [int(size) for size in options.batch_sizes.split(",")]
    modes = options.projections.split(",")
    if set(modes) - set(MODE_LABELS):
        parser.error(f"--projections takes {', '.join(MODE_LABELS)}")
    if options.quick:
        options.readings, sizes = 2_000, [1_000]
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    postgres_url = postgres_server_url() if "postgres" in backends else None
    if "postgres" in backends and postgres_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    ratios: dict[tuple[str, int], dict[tuple[str, str], float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for backend in backends:
            for size in sizes:
                ratios[backend, size] = measure(
                    backend, size, options.readings, modes, workdir, postgres_url
                )
    print()
    for (backend, size), by_kind in ratios.items():
        for (mode, form), ratio in by_kind.items():
            goal(
                f"ingest on {backend}, batches of {size:,} as {form}, {MODE_LABELS[mode]}: "
                f"at least {GOAL_RATIO}x the raw insert",
                f"{ratio:.2f}x",
                ratio >= GOAL_RATIO,
            )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
