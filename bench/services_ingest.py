"""RecordMeasurements over gRPC into a service SLA with its subscribers, beside the same batches
into one customer-based agreement (bench/services.py runs it)."""

from __future__ import annotations

import time
from pathlib import Path

from bench.harness import channel_to, goal, minute_batches, running_server
from bench.ingest import as_columns, reading_count
from bench.ingest_figures import IngestFigures, timed_ingest
from bench.service_data import APRIL, SERVICE, SINGLE, new_database, sign_service, sign_single
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

GOAL_RATIO = 0.9
APRIL_SECONDS = int(APRIL.timestamp())
KINDS = ("single", "service")


def ingest_once(
    read_models: bool,
    url: str,
    workdir: Path,
    kind: str,
    subscribers: int,
    requests: list[pb.RecordMeasurementsRequest],
) -> tuple[IngestFigures, float]:
    """Load the agreement in-process (untimed), then time the batches over gRPC into the
    server (no automatic closing; read models in its child process, as the default server, once
    they have caught up with the load, or none); the figures and the load's seconds."""
    started = time.perf_counter()
    app = open_application(url)
    try:
        if kind == "service":
            sign_service(app, subscribers)
        else:
            sign_single(app, SINGLE)
        head = app.event_log.head()
    finally:
        app.close()
    load_seconds = time.perf_counter() - started
    agreement_id = SERVICE if kind == "service" else SINGLE
    for request in requests:
        request.agreement_id = agreement_id
    total = sum(reading_count(r) for r in requests)
    flags = ["--close-periods", "off", "--projections", "process" if read_models else "off"]
    with running_server(url, workdir, flags) as server, channel_to(server) as stub:
        if read_models:
            caught_up = pb.ListBreachesRequest(min_log_position=head, page_size=1)
            stub.ListBreaches(caught_up, timeout=600)
        figures = timed_ingest(
            stub,
            lambda r: stub.RecordMeasurements(r, timeout=300),
            requests,
            total,
            read_models,
            600,
        )
    return figures, load_seconds


def run(
    subscribers: int,
    readings: int,
    batch_sizes: list[int],
    rounds: int,
    backends: list[str],
    workdir: Path,
    postgres_url: str | None,
    read_models: bool = True,
) -> None:
    """Print one table per backend and batch size and form; then the goals."""
    ratios: dict[str, float] = {}
    for backend in backends:
        for size in batch_sizes:
            messages = minute_batches(readings // size, size, SINGLE, APRIL_SECONDS)
            forms = {"messages": messages, "columns": [as_columns(r) for r in messages]}
            for form, requests in forms.items():
                best: dict[str, IngestFigures] = {}
                loads: dict[str, float] = {}
                for r in range(rounds):
                    order = KINDS if r % 2 == 0 else KINDS[::-1]
                    for kind in order:
                        name = f"{kind}-{size}-{form}-{r}"
                        with new_database(backend, workdir, name, postgres_url) as url:
                            found, loads[kind] = ingest_once(
                                read_models, url, workdir, kind, subscribers, requests
                            )
                        if kind not in best or found.acked > best[kind].acked:
                            best[kind] = found
                key = f"{backend}, batches of {size:,} as {form}"
                if not read_models:
                    key += ", no read models"
                ratios[key] = best["service"].acked / best["single"].acked
                where = "in the server's child process" if read_models else "none"
                setting = f"batches of {size:,} as {form}, read models {where}"
                print_table(backend, setting, rounds, subscribers, readings, best, loads)
    print()
    for key, ratio in ratios.items():
        goal(
            f"ingest into a service SLA with {subscribers:,} subscribers on {key}: "
            f"at least {GOAL_RATIO}x one customer-based agreement",
            f"{ratio:.2f}x",
            ratio >= GOAL_RATIO,
        )


def print_table(
    backend: str,
    setting: str,
    rounds: int,
    subscribers: int,
    readings: int,
    best: dict[str, IngestFigures],
    loads: dict[str, float],
) -> None:
    """One backend's figures in one setting (batch size, form, read models)."""
    name = "SQLite" if backend == "sqlite" else "PostgreSQL"
    print(
        f"\n{name}: {readings:,} one-minute readings from 1 April 2026 in {setting}, best of "
        f"{rounds}; the service loaded in-process with {subscribers:,} subscribers in "
        f"{loads['service']:.1f} s"
    )
    print(f"{'figure':<58}{'readings/s':>12}{'x baseline':>12}")
    base = best["single"]
    for kind, label in (
        ("single", "one customer-based agreement (baseline)"),
        ("service", "the service SLA"),
    ):
        found = best[kind]
        rows = [(f"{label}: acknowledged", found.acked, base.acked)]
        if found.caught_up is not None and base.caught_up is not None:
            rows.append(("  read models caught up", found.caught_up, base.caught_up))
        rows.append(("  re-sent (all duplicates)", found.resent, base.resent))
        for text, figure, baseline in rows:
            print(f"{text:<58}{figure:>12,.0f}{figure / baseline:>12.2f}")
