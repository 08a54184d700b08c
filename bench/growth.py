"""How ingest, GetCompliance and server memory grow with the history stored, in one run.

Usage: python -m bench.growth [--backend sqlite|postgres] [--checkpoints 10000,100000,1000000]
       [--calls N] [--quick]

Starts one `sla-ledger serve --close-periods off` (the default server otherwise: read models kept
current by its child projection process) on a free port, with a SQLite file in a scratch directory
or, with --backend postgres, a scratch schema on the PostgreSQL server named by
SLA_LEDGER_BENCH_POSTGRES_URL or SLA_LEDGER_TEST_POSTGRES_URL. It signs one agreement (one monthly
RATIO objective, UTC, in force from 2024-12-01) and, from this process, records 1,000,000 one-minute
readings from 2024-12-01T00:00Z on (to 2026-10-26, before the server's clock), in consecutive time
order, in RecordMeasurements batches of 10,000; the first checkpoint, 10,000, is the first batch. At
each checkpoint (10k, 100k and 1M stored readings):
- ingest readings/s, over a timed stretch of consecutive batches: the readings since the previous
  checkpoint, at most the last 100,000 (10k: the first batch; 100k: the 90,000 after the 10k
  checkpoint; 1M: the last 100,000). A stretch starts with the read models caught up (the
  previous checkpoint's wait, or an untimed wait before the last 100,000). "acked" times the
  RecordMeasurements calls (each reply comes after its batch committed); "projected" times from
  the first call until ListBreaches(min_log_position = the last batch's position) returned, i.e.
  until the read models had caught up with the stretch too (the server checks every 50 ms, so
  this adds up to about 0.1 s, which weighs on the 10k stretch alone). The batches are built
  before timing.
- then, with the read models caught up: GetCompliance(as_of, known_at unset) --calls times after
  one warm-up call, p50 and p99 (nearest rank) of the client-side latencies. as_of lies in the
  last month with readings, 10,000 minutes (less 30 s) after that month began, so the window
  holds the same 10,000 readings at every checkpoint (the answer is checked) and only the history
  around it grows. The history grows by the agreement growing older: at 1M the window is its
  23rd monthly period. So the same is also asked of the first month (as_of 2024-12-07T22:39:30Z,
  p50 of --calls calls after a warm-up call): the question of the 10k checkpoint, asked again
  with more readings stored. Baseline in the same run: GetAgreement p50 over the same channel,
  --calls times after one warm-up call (a trivial unary call: the floor of any call).
- RSS: VmRSS of the server and its projection process after the queries.

Memory, of the server and its projection process together (MB = 2**20 bytes; a VmHWM is the sum of
the two processes' peaks, an upper bound of their joint peak): VmRSS of the idle server before the
agreement was signed (the baseline); the peak of VmRSS sampled every 50 ms from the first batch to
the last checkpoint's queries; VmHWM (the kernel's exact peak since the server started) once the
last reading had been recorded and projected, before the last queries; VmRSS and VmHWM at the end.

Goals (issue items 6 and 7):
- peak server RSS while ingesting 1M readings under 300 MB: VmHWM once the last reading had been
  recorded and projected (it covers the whole ingest, and the 10k and 100k queries).
- server RSS not growing with history: VmRSS at 1M at most max(20 MB, 10%) above VmRSS at 100k.
  20 MB over the 900,000 readings in between is 23 bytes a reading, less than any per-reading
  Python object (a tuple alone is 56 bytes), so memory held per stored reading would exceed it,
  while allocator and page-cache noise stays under it.
- GetCompliance p50 at 1M within 1.5x of 10k (last month): the same window of 10,000 readings,
  100x the history, in the agreement's 23rd monthly period rather than its first.
- ingest at 1M at least 0.8x the rate at 100k, acked and projected: 100k rather than 10k because
  the 10k stretch is a single batch, sent while the read models are idle and not overlapping
  with them, so its figures are not of the same kind (printed, not judged).

--quick records 5,000 readings in batches of 1,000 with checkpoints at 1k, 2k and 5k, 5 calls
each: it only checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import (
    RssSampler,
    ServerProcess,
    channel_to,
    goal,
    latencies_ms,
    minute_batches,
    percentile,
    postgres_server_url,
    quick_notice,
    rss_bytes,
    running_server,
    scratch_schema,
    settled_rss,
    sign,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

AGREEMENT_ID = "growth"
START = datetime(2024, 12, 1, tzinfo=UTC)  # 1M minutes later is 2026-10-26, before the clock
MINUTE = 60
MB = 1024 * 1024
CHECKPOINTS = (10_000, 100_000, 1_000_000)
BATCH_SIZE = 10_000
QUICK_CHECKPOINTS = (1_000, 2_000, 5_000)
QUICK_BATCH_SIZE = 1_000
MAX_STRETCH = 100_000
CATCH_UP_TIMEOUT = 600
PEAK_GOAL_MB = 300
RSS_GROWTH_MB = 20
RSS_GROWTH_FRACTION = 0.10
COMPLIANCE_GROWTH = 1.5
INGEST_KEPT = 0.8


@dataclass(frozen=True)
class Checkpoint:
    """The figures taken once a number of readings was stored."""

    stored: int
    stretch: int
    acked_per_s: float
    projected_per_s: float
    compliance_ms: list[float]
    first_month_ms: list[float]
    agreement_ms: list[float]
    rss: int
    hwm: int


class Ingest:
    """Consecutive one-minute readings of the agreement, sent in batches; what is stored."""

    def __init__(self, stub: pb_grpc.LedgerServiceStub, batch_size: int) -> None:
        self.stub = stub
        self._batch_size = batch_size
        self.stored = 0
        self.log_position = 0

    def next_batches(self, readings: int) -> list[pb.RecordMeasurementsRequest]:
        """The batches of the next readings after those stored (readings: whole batches)."""
        assert readings % self._batch_size == 0, (readings, self._batch_size)
        first = int(START.timestamp()) + self.stored * MINUTE
        return minute_batches(
            readings // self._batch_size, self._batch_size, AGREEMENT_ID, first_seconds=first
        )

    def send(self, requests: Sequence[pb.RecordMeasurementsRequest]) -> None:
        """Record the batches, one call each; every reading must be new."""
        for request in requests:
            reply = self.stub.RecordMeasurements(request, timeout=300)
            assert reply.recorded_count == len(request.measurements), reply
            self.stored += reply.recorded_count
            self.log_position = reply.log_position

    def send_up_to(self, stored: int) -> None:
        """Record readings until stored are, building one batch at a time (untimed)."""
        while self.stored < stored:
            self.send(self.next_batches(self._batch_size))

    def wait_for_read_models(self) -> None:
        """Return once the server's read models reflect the last batch recorded."""
        request = pb.ListBreachesRequest(min_log_position=self.log_position, page_size=1)
        self.stub.ListBreaches(request, timeout=CATCH_UP_TIMEOUT)


def month_start(instant: datetime) -> datetime:
    """The first instant of instant's month (UTC)."""
    return instant.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def compliance_question(stored: int, window_readings: int) -> tuple[pb.GetComplianceRequest, str]:
    """GetCompliance as_of window_readings minutes (less 30 s) into the last month with
    readings, known_at unset; and that month's label."""
    last_reading = START + timedelta(minutes=stored - 1)
    month = month_start(last_reading)
    as_of = month + timedelta(minutes=window_readings, seconds=-30)
    assert as_of < last_reading + timedelta(minutes=1), f"{stored} readings end before {as_of}"
    request = pb.GetComplianceRequest(agreement_id=AGREEMENT_ID, objective_id="availability")
    request.as_of.FromDatetime(as_of)
    return request, f"{month:%Y-%m}"


def checked_question(
    stub: pb_grpc.LedgerServiceStub, stored: int, window_readings: int
) -> pb.GetComplianceRequest:
    """The GetCompliance question of a checkpoint, once its answer was checked."""
    question, label = compliance_question(stored, window_readings)
    [objective] = stub.GetCompliance(question, timeout=120).report.objectives
    assert objective.period_label == label, objective
    assert objective.tracks[0].readings == window_readings, objective
    return question


def ask(
    stub: pb_grpc.LedgerServiceStub, stored: int, window_readings: int, calls: int
) -> tuple[list[float], list[float], list[float]]:
    """Latencies (ms) of GetCompliance in the last and in the first month, and GetAgreement."""
    last_month = checked_question(stub, stored, window_readings)
    first_month = checked_question(stub, window_readings, window_readings)
    get_agreement = pb.GetAgreementRequest(agreement_id=AGREEMENT_ID)
    agreement_ms = latencies_ms(lambda: stub.GetAgreement(get_agreement, timeout=120), calls)
    compliance_ms = latencies_ms(lambda: stub.GetCompliance(last_month, timeout=120), calls)
    first_month_ms = latencies_ms(lambda: stub.GetCompliance(first_month, timeout=120), calls)
    return compliance_ms, first_month_ms, agreement_ms


def checkpoint(
    ingest: Ingest, server: ServerProcess, stored: int, window_readings: int, calls: int
) -> Checkpoint:
    """Ingest up to stored readings (the last stretch timed), then query and read the RSS."""
    stretch_start = max(ingest.stored, stored - MAX_STRETCH)
    if stretch_start > ingest.stored:
        ingest.send_up_to(stretch_start)
        ingest.wait_for_read_models()
    stretch = ingest.next_batches(stored - stretch_start)
    readings = stored - stretch_start
    started = time.perf_counter()
    ingest.send(stretch)
    acked = time.perf_counter() - started
    ingest.wait_for_read_models()
    projected = time.perf_counter() - started
    hwm = rss_bytes(server.pid)[1]
    compliance_ms, first_month_ms, agreement_ms = ask(ingest.stub, stored, window_readings, calls)
    return Checkpoint(
        stored,
        readings,
        readings / acked,
        readings / projected,
        compliance_ms,
        first_month_ms,
        agreement_ms,
        rss_bytes(server.pid)[0],
        hwm,
    )


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str | None]:
    """The database URL of the backend, or None when PostgreSQL is not configured."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'ledger.sqlite3'}"
        return
    server_url = postgres_server_url()
    if server_url is None:
        yield None
        return
    with scratch_schema(server_url) as (url, _):
        yield url


def readings_label(count: int) -> str:
    """10k, 100k, 1M: a count of readings as the tables name it."""
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count >= 1_000 and count % 1_000 == 0:
        return f"{count // 1_000}k"
    return str(count)


def print_table(backend: str, batch_size: int, checkpoints: Sequence[Checkpoint]) -> None:
    """The figures at each checkpoint."""
    print(
        f"one agreement, one-minute readings from {START:%Y-%m-%d} in batches of "
        f"{batch_size:,}, {backend}"
    )
    print(
        f"ms, {len(checkpoints[0].compliance_ms)} calls each: GetCompliance as_of "
        f"{readings_label(checkpoints[0].stored)} readings into the last month (last p50, p99)\n"
        "and into the first month (first p50); GetAgreement p50 (the floor)"
    )
    print(
        f"{'stored':>10}{'stretch':>10}{'acked/s':>10}{'projected/s':>13}{'last p50':>10}"
        f"{'p99':>7}{'first p50':>11}{'GetAgr p50':>12}{'RSS MB':>8}"
    )
    for c in checkpoints:
        print(
            f"{c.stored:>10,}{c.stretch:>10,}{c.acked_per_s:>10,.0f}{c.projected_per_s:>13,.0f}"
            f"{percentile(c.compliance_ms, 0.5):>10.1f}{percentile(c.compliance_ms, 0.99):>7.1f}"
            f"{percentile(c.first_month_ms, 0.5):>11.1f}{percentile(c.agreement_ms, 0.5):>12.1f}"
            f"{c.rss / MB:>8.0f}"
        )


def print_goals(checkpoints: Sequence[Checkpoint], peak_mb: float) -> None:
    """The goal lines: peak memory, memory growth, query and ingest growth."""
    first, before, last = checkpoints[0], checkpoints[-2], checkpoints[-1]
    name = {c.stored: readings_label(c.stored) for c in checkpoints}
    goal(
        f"peak server RSS while ingesting {name[last.stored]} readings under {PEAK_GOAL_MB} MB",
        f"{peak_mb:.0f} MB",
        peak_mb < PEAK_GOAL_MB,
    )
    rss_last, rss_before = last.rss / MB, before.rss / MB
    allowed = max(RSS_GROWTH_MB, RSS_GROWTH_FRACTION * rss_before)
    goal(
        f"server RSS not growing with history ({name[last.stored]} vs {name[before.stored]} "
        f"stored, at most {RSS_GROWTH_MB} MB or {RSS_GROWTH_FRACTION:.0%} more)",
        f"{rss_last:.0f} MB vs {rss_before:.0f} MB",
        rss_last - rss_before <= allowed,
    )
    p50_last = percentile(last.compliance_ms, 0.5)
    p50_first = percentile(first.compliance_ms, 0.5)
    goal(
        f"GetCompliance p50 at {name[last.stored]} within {COMPLIANCE_GROWTH}x of "
        f"{name[first.stored]} stored",
        f"{p50_last:.1f} ms vs {p50_first:.1f} ms ({p50_last / p50_first:.2f}x)",
        p50_last <= COMPLIANCE_GROWTH * p50_first,
    )
    for figure, rate in (("acked", "acked_per_s"), ("projected", "projected_per_s")):
        now, then = getattr(last, rate), getattr(before, rate)
        goal(
            f"ingest ({figure}) at {name[last.stored]} at least {INGEST_KEPT}x the rate at "
            f"{name[before.stored]} stored",
            f"{now:,.0f} vs {then:,.0f} readings/s ({now / then:.2f}x)",
            now >= INGEST_KEPT * then,
        )


def main() -> int:
    """Run the benchmark and print its table, memory lines and goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--checkpoints",
        default=",".join(str(c) for c in CHECKPOINTS),
        help="comma-separated stored readings, multiples of 10,000",
    )
    parser.add_argument("--calls", type=int, default=20, help="timed calls per query figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    checkpoints = sorted(int(c) for c in options.checkpoints.split(","))
    batch_size = BATCH_SIZE
    if options.quick:
        checkpoints, batch_size, options.calls = list(QUICK_CHECKPOINTS), QUICK_BATCH_SIZE, 5
    if len(checkpoints) < 2 or any(c % batch_size for c in checkpoints):
        parser.error(f"at least two checkpoints, each a multiple of {batch_size:,}")
    window_readings = checkpoints[0]
    results: list[Checkpoint] = []
    with tempfile.TemporaryDirectory() as scratch, database(options.backend, Path(scratch)) as url:
        if url is None:
            print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
            return 0
        with (
            running_server(url, Path(scratch), ["--close-periods", "off"]) as server,
            channel_to(server) as stub,
        ):
            idle_rss = settled_rss(server.pid)
            sign(stub, AGREEMENT_ID, int(START.timestamp()))
            ingest = Ingest(stub, batch_size)
            with RssSampler(server.pid) as sampler:
                for stored in checkpoints:
                    results.append(
                        checkpoint(ingest, server, stored, window_readings, options.calls)
                    )
            end_rss, end_hwm = rss_bytes(server.pid)
    backend = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[options.backend]
    print_table(backend, batch_size, results)
    peak_mb = results[-1].hwm / MB
    print(f"\nmemory of the server and its projection process{'':<28}{'MB':>6}")
    for label, value in (
        ("VmRSS of the idle server and its started child, before signing (baseline)", idle_rss),
        ("peak VmRSS sampled every 50 ms, first batch to last queries", sampler.peak),
        ("VmHWM once the last reading was recorded and projected", results[-1].hwm),
        ("VmRSS at the end, after ingest and queries", end_rss),
        ("VmHWM at the end", end_hwm),
    ):
        print(f"{label:<75}{value / MB:>6.0f}")
    print()
    print_goals(results, peak_mb)
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
