"""Projecting the log one event per transaction (as the library's runner does) against batches.

Usage: python -m bench.projection_batching [--agreements N] [--quick]

Builds the ledger of bench.rebuild (--agreements 60: about 11,500 events) on SQLite (a file in
a scratch directory) and on PostgreSQL (a scratch schema on SLA_LEDGER_BENCH_POSTGRES_URL, when
set), then projects the whole log into each read model in turn (the views, the reading rollups,
the event encodings), from empty tables, two ways:

- one event per transaction: the events of the read model's topics, read from the log in pages
  of 500 and handed over one by one, each applied and its tracking position recorded in a
  transaction of its own. This is what eventsourcing's ProjectionRunner does: its subscription
  yields one (event, tracking) pair at a time and the projection's process_event records each
  with its tracking in one transaction of the view;
- batches: BatchedProjectionRunner with batch_size 500 (the read models' BATCH_SIZE), one
  transaction per 500 log positions.

Figures: events of the read model's topics applied per second, one run each.
--quick builds 4 agreements: it only checks that the harness works.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.harness import postgres_server_url, quick_notice, scratch_schema
from bench.rebuild import Clock, build_ledger
from projections.read_models import BATCH_SIZE, ReadModels
from projections.runner import (
    BatchedProjectionRunner,
    LogEntry,
    LogReader,
    Projection,
    create_tables,
    drop_tables,
)
from service.bootstrap import open_application, open_read_models

PAGE = 500


class OneByOne:
    """The log as a subscription delivers it: pages read and filtered by topic, handed over one
    event at a time."""

    def __init__(self, read_log: LogReader, topics: frozenset[str]) -> None:
        self._read_log = read_log
        self._topics = topics
        self._buffer: list[LogEntry] = []
        self._read_to = 0

    def __call__(self, after: int, limit: int) -> Sequence[LogEntry]:
        """The next event of the topics after a position (limit is 1 here)."""
        while True:
            self._buffer = [entry for entry in self._buffer if entry.position > after]
            if self._buffer:
                return self._buffer[:limit]
            page = self._read_log(max(after, self._read_to), PAGE)
            if not page:
                return []
            self._read_to = page[-1].position
            self._buffer = [e for e in page if e.topic in self._topics]


def project(models: ReadModels, projection: Projection, one_by_one: bool) -> tuple[int, float]:
    """Project the whole log into empty tables; (events of its topics applied, seconds)."""
    names = [runner.name for runner in models.runners]
    drop_tables(models.engine, names, caches=True)
    create_tables(models.engine, names)
    read_log: LogReader = models.read_log
    if one_by_one:
        read_log = OneByOne(models.read_log, projection.topics)
    batch = 1 if one_by_one else BATCH_SIZE
    runner = BatchedProjectionRunner(models.engine, read_log, projection, batch_size=batch)
    started = time.perf_counter()
    runner.catch_up()
    seconds = time.perf_counter() - started
    return handled(models, projection.topics), seconds


def handled(models: ReadModels, topics: frozenset[str]) -> int:
    """The events of the log of these topics."""
    count, position = 0, 0
    while page := models.read_log(position, PAGE):
        count += sum(1 for entry in page if entry.topic in topics)
        position = page[-1].position
    return count


def measure(database_url: str, label: str, agreements: int) -> None:
    """Build the ledger on a database and print both ways for every read model."""
    app = open_application(database_url, clock=Clock())
    models = open_read_models(app, database_url)
    try:
        started = time.perf_counter()
        build_ledger(app, agreements)
        built = time.perf_counter() - started
        events = app.event_log.head()
        print(f"\n{label}: {agreements} agreements, {events} events (built in {built:.0f} s)")
        print(f"{'read model':22}{'events':>8}{'1 per txn ev/s':>16}{'batched ev/s':>14}{'x':>7}")
        for projection in (models.views, models.rollups, models.encodings):
            count, single = project(models, projection, one_by_one=True)
            _, batched = project(models, projection, one_by_one=False)
            single_rate, batched_rate = count / single, count / batched
            print(
                f"{projection.name:22}{count:>8}{single_rate:>16,.0f}{batched_rate:>14,.0f}"
                f"{batched_rate / single_rate:>7.1f}"
            )
    finally:
        models.stop()
        app.close()


def main() -> int:
    """Run the comparison on SQLite and, when a server is named, on PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.agreements = 4
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'ledger.sqlite3'}"
        measure(url, "SQLite", options.agreements)
    server = postgres_server_url()
    if server is None:
        print("\nPostgreSQL: skipped (no SLA_LEDGER_BENCH_POSTGRES_URL)")
    else:
        with scratch_schema(server) as (url, _):
            measure(url, "PostgreSQL", options.agreements)
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
