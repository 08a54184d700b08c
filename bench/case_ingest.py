"""RecordCaseEvents over gRPC against a raw insert of the same milestones, in one run.

Usage: python -m bench.case_ingest [--backend sqlite|postgres|both] [--milestones N]
       [--batch-sizes 1000,10000] [--projections process|off] [--quick]

For each backend and batch size: starts `sla-ledger serve --close-periods off` on a free port
(a SQLite file in a scratch directory, or a scratch schema on the PostgreSQL server named by
SLA_LEDGER_BENCH_POSTGRES_URL or SLA_LEDGER_TEST_POSTGRES_URL; read models in the server's
child process, as by default), signs an agreement with four case objectives on business hours
(bench/case_data.py) and sends about --milestones milestones of a service desk's tickets (one
opened a minute, 3 to 6 milestones each: opened, first response, sometimes paused and resumed or
relabeled, resolved) in business order, in RecordCaseEvents batches from this process (the
server is another process): each batch opens new tickets and carries later milestones of
tickets opened in earlier batches. Each reply comes after the batch's transaction committed.
Then it waits for the read models to catch up (ListBreaches with min_log_position) and sends
every batch again (all duplicates). The baseline inserts the same rows (agreement, case,
identity, kind, instant, labels, pause reason), one transaction per batch, into a table with a
primary key on the milestone's identity (agreement, case, identity) in the same database:
SQLite with one executemany per batch, PostgreSQL with one COPY per batch. Figures are
milestones per second; the ratio is to the baseline, and the goal (issue 13: at least 0.3x the
raw insert) is on the acknowledged rate. --projections off runs the server without read models
(ingest alone; nothing to catch up with). --quick sends 2 batches of 1,000 per backend: it only
checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.case_data import (
    milestone_batches,
    milestone_identity,
    sign_case_agreement,
    tickets,
)
from bench.harness import (
    START_SECONDS,
    channel_to,
    goal,
    postgres_server_url,
    quick_notice,
    running_server,
    scratch_schema,
)
from bench.ingest_figures import (
    IngestFigures,
    postgres_insert_rate,
    sqlite_insert_rate,
    timed_ingest,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

GOAL_RATIO = 0.3
AGREEMENT = "desk"
AVERAGE_MILESTONES = 3.6  # per ticket (bench/case_data.py)
MODES = {
    "process": "read models in the server's child process",
    "off": "no read models",
}
Row = tuple[str, str, str, str, int, str, int]

MILESTONES_TABLE = (
    "CREATE TABLE milestones (agreement_id TEXT, case_id TEXT, identity TEXT, kind TEXT, "
    "occurred_at_us BIGINT, labels TEXT, pause_reason INTEGER, "
    "PRIMARY KEY (agreement_id, case_id, identity))"
)


def rows_of(requests: Sequence[pb.RecordCaseEventsRequest]) -> list[list[Row]]:
    """The rows the baseline inserts: one list per batch."""
    return [
        [
            (
                request.agreement_id,
                m.case_id,
                milestone_identity(m),
                str(m.kind),
                m.occurred_at.seconds * 1_000_000 + m.occurred_at.nanos // 1000,
                json.dumps(dict(m.labels), sort_keys=True) if m.labels else "",
                m.pause_reason,
            )
            for m in request.milestones
        ]
        for request in requests
    ]


def sqlite_baseline(path: Path, batches: list[list[Row]]) -> float:
    """Milestones per second inserted raw into SQLite (bench/ingest_figures.py)."""
    return sqlite_insert_rate(path, MILESTONES_TABLE, "milestones", batches)


def postgres_baseline(server_url: str, batches: list[list[Row]]) -> float:
    """Milestones per second inserted raw into PostgreSQL (bench/ingest_figures.py)."""
    return postgres_insert_rate(server_url, MILESTONES_TABLE, "milestones", batches)


def ingest_rates(
    database_url: str, workdir: Path, requests: list[pb.RecordCaseEventsRequest], projections: str
) -> IngestFigures:
    """Record requests over gRPC, wait for the read models (if any), then re-send them all."""
    total = sum(len(r.milestones) for r in requests)
    flags = ["--close-periods", "off", "--projections", projections]
    with (
        running_server(database_url, workdir, flags) as server,
        channel_to(server) as stub,
    ):
        sign_case_agreement(stub, AGREEMENT, START_SECONDS)
        figures = timed_ingest(
            stub,
            lambda r: stub.RecordCaseEvents(r, timeout=300),
            requests,
            total,
            projections != "off",
            1200,
        )
    return figures


def batches_of(milestones: int, size: int) -> list[pb.RecordCaseEventsRequest]:
    """Whole batches of size milestones, about `milestones` in all, of tickets opened a minute
    apart from START_SECONDS (the last, partial batch is dropped)."""
    count = int(milestones / AVERAGE_MILESTONES) + 100
    requests = list(milestone_batches(AGREEMENT, tickets(count, START_SECONDS, 60), size))
    whole = [r for r in requests if len(r.milestones) == size][: max(1, milestones // size)]
    return whole


def measure(
    backend: str,
    batch_size: int,
    milestones: int,
    workdir: Path,
    postgres_url: str | None,
    projections: str,
) -> float:
    """Print one backend's table at one batch size; return the acked / baseline ratio."""
    requests = batches_of(milestones, batch_size)
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'ledger-{batch_size}.sqlite3'}"
        found = ingest_rates(url, workdir, requests, projections)
    else:
        assert postgres_url is not None
        with scratch_schema(postgres_url) as (url, _):
            found = ingest_rates(url, workdir, requests, projections)
    rows = rows_of(requests)
    if backend == "sqlite":
        rate = sqlite_baseline(workdir / f"baseline-{batch_size}.sqlite3", rows)
        name, raw = "SQLite", "raw executemany (baseline)"
    else:
        assert postgres_url is not None
        rate = postgres_baseline(postgres_url, rows)
        name, raw = "PostgreSQL", "raw COPY (baseline)"
    cases = len({m.case_id for r in requests for m in r.milestones})
    print(
        f"\n{name}: {sum(len(r) for r in rows)} milestones of {cases} tickets "
        f"in batches of {batch_size}, {MODES[projections]}"
    )
    print(f"{'figure':<52}{'milestones/s':>14}{'x baseline':>12}")
    print(f"{raw:<52}{rate:>14,.0f}{1:>12.2f}")
    lines = [("RecordCaseEvents over gRPC: acknowledged", found.acked)]
    if found.caught_up is not None:
        lines.append(("  read models caught up", found.caught_up))
    lines.append(("  re-sent (all duplicates)", found.resent))
    for label, figure in lines:
        print(f"{label:<52}{figure:>14,.0f}{figure / rate:>12.2f}")
    return found.acked / rate


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--milestones", type=int, default=100_000, help="milestones per figure")
    parser.add_argument("--batch-sizes", default="1000,10000", help="comma-separated")
    parser.add_argument(
        "--projections",
        choices=tuple(MODES),
        default="process",
        help="process: the default server (read models in its child process); off: none",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 batches of 1,000: check the harness only"
    )
    options = parser.parse_args()
    sizes = [int(size) for size in options.batch_sizes.split(",")]
    if options.quick:
        options.milestones, sizes = 2_000, [1_000]
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    postgres_url = postgres_server_url() if "postgres" in backends else None
    if "postgres" in backends and postgres_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    ratios: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for backend in backends:
            for size in sizes:
                ratios[backend, size] = measure(
                    backend, size, options.milestones, workdir, postgres_url, options.projections
                )
    print()
    for (backend, size), ratio in ratios.items():
        goal(
            f"RecordCaseEvents on {backend}, batches of {size:,}: "
            f"at least {GOAL_RATIO}x the raw insert",
            f"{ratio:.2f}x",
            ratio >= GOAL_RATIO,
        )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
