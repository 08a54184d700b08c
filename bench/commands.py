"""Commands (sign, amend, close period) over gRPC against a no-op unary call on the same server.

Usage: python -m bench.commands [--backend sqlite|postgres|both] [--seconds S] [--callers N]
       [--rate R] [--quick]

For each backend: starts `sla-ledger serve --close-periods off` (the default server otherwise: read
models in its child process) on a free port (a SQLite file in a scratch directory, or a scratch
schema on the PostgreSQL server named by SLA_LEDGER_BENCH_POSTGRES_URL or
SLA_LEDGER_TEST_POSTGRES_URL) and calls it from this process (the server is another process) over
one channel. The baseline is grpc.health.v1.Health/Check on the same server and channel: a unary
call that does no work.

Every timed command appends to the ledger. SignAgreement signs a new agreement id each call
(monthly RATIO objective, in force from 2026-01-01). AmendAgreement replaces the terms of an
agreement signed untimed beforehand, from 2026-03-01, with the objective's target switching
between 99.5% and 99.9% at each amendment, and the agreement's current version as
expected_version. ClosePeriod(until 2026-02-01) closes January on an agreement that has never been
closed: each call appends PeriodClosed and whatever January's result brings (no readings were
recorded). The agreements closed are those the timed SignAgreement calls signed (topped up
untimed when too few). After the timed calls the replies are checked (ids, versions, events
appended, distinct log positions), every amended agreement is read back with GetAgreement and
some closed ones are closed again (nothing appended), so refused calls cannot pass unnoticed.

Figures, one table per backend:
- closed loop: --callers threads share the channel, each sending its next call as soon as the
  previous reply came, for --seconds per call; calls/s is the replies received over the time
  from the start to the last reply, and "x no-op" its ratio to the Health/Check figure.
- open loop: one thread sends a call (stub.Method.future) every 1/--rate s for --seconds per
  call, whatever the replies do; a call's latency runs from the instant it was scheduled to its
  reply, so a server that falls behind shows in the latency (no coordinated omission). The
  offered rate is --rate, achieved/s the replies per second between the first and the last
  reply; p50 and p99 are nearest-rank, in milliseconds. "send lag" is the largest delay of a send
  past its scheduled instant: a client that stalled sends a burst when it wakes, which the server
  may answer with RESOURCE_EXHAUSTED beyond its concurrency limit (4 x --workers calls).
Each kind of call is warmed up untimed first, and before each figure the benchmark waits until
the server's read models have caught up with the log, so no figure pays for the projection work
of the one before. A figure includes the projection work the server does while it runs.
ClosePeriod is measured on the ledger the figures before it built; the table is followed by the
number of events in the log then and at the end. --quick runs 0.5 s per figure at 20 calls/s: it
only checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.command_checks import (
    check_amendments,
    check_closings,
    check_health,
    check_ledger,
    check_signings,
)
from bench.command_loops import ClosedLoop, OpenLoop, closed_loop, open_loop
from bench.command_requests import (
    CALL_TIMEOUT,
    Amendments,
    close_request,
    closings,
    endless_signings,
    sign_request,
)
from bench.harness import (
    CHANNEL_OPTIONS,
    ServerProcess,
    goal,
    percentile,
    postgres_server_url,
    quick_notice,
    running_server,
    scratch_schema,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

GOAL_RATIO = 0.5
SETTLE_TIMEOUT = 300.0
CLOSE_POOL_FACTOR = 1.25  # agreements left to close, per agreement the timed signing signed
AMEND_POOL = 256  # agreements signed for the amendments, at least
WARM_UP_CALLS = 3  # untimed calls per caller before each kind of call is timed
COMMANDS = ("SignAgreement", "AmendAgreement", "ClosePeriod")
BASELINE = "Health/Check (no-op)"


@dataclass(frozen=True)
class Row:
    """One line of a backend's table."""

    call: str
    closed: ClosedLoop[Any]
    opened: OpenLoop[Any]


def sign_untimed(
    stub: pb_grpc.LedgerServiceStub, agreement_ids: Sequence[str], callers: int
) -> None:
    """Sign these agreements from callers threads, checking every reply."""
    sources = [
        iter([sign_request(a) for a in agreement_ids[caller::callers]]) for caller in range(callers)
    ]
    check_signings(closed_loop(stub.SignAgreement, sources, math.inf).exchanges)


def log_head(stub: pb_grpc.LedgerServiceStub) -> int:
    """The position of the last event in the log."""
    digest = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=CALL_TIMEOUT).digest
    return int(digest.log_position)


def settle(stub: pb_grpc.LedgerServiceStub) -> int:
    """Wait until the server's read models reflect the whole log, so that no projection work
    left by one figure runs during the next; the log's last position."""
    head = log_head(stub)
    stub.ListBreaches(
        pb.ListBreachesRequest(page_size=1, min_log_position=head), timeout=SETTLE_TIMEOUT
    )
    return head


def measure(
    name: str, server: ServerProcess, seconds: float, callers: int, rate: float
) -> dict[str, float]:
    """Print one backend's table; each command's closed-loop ratio to the no-op call."""
    open_calls = max(1, round(rate * seconds))
    with grpc.insecure_channel(server.target, options=CHANNEL_OPTIONS) as channel:
        stub = pb_grpc.LedgerServiceStub(channel)
        check = health_pb2_grpc.HealthStub(channel).Check
        no_op = health_pb2.HealthCheckRequest()

        # Untimed: warm every kind of call up and sign the agreements to amend.
        closed_loop(
            check, [itertools.repeat(no_op, WARM_UP_CALLS) for _ in range(callers)], math.inf
        )
        amended = [f"amended-{n}" for n in range(max(AMEND_POOL, open_calls, callers))]
        sign_untimed(stub, amended, callers)
        amendments = Amendments(amended)
        warm_amendments = [
            itertools.islice(amendments.cycling(c, callers), WARM_UP_CALLS) for c in range(callers)
        ]
        check_amendments(closed_loop(stub.AmendAgreement, warm_amendments, math.inf).exchanges)
        warm_closings = [f"warm-{n}" for n in range(callers * WARM_UP_CALLS)]
        sign_untimed(stub, warm_closings, callers)
        warm_queue = deque(warm_closings)
        check_closings(
            closed_loop(
                stub.ClosePeriod, [closings(warm_queue) for _ in range(callers)], math.inf
            ).exchanges
        )

        # Closed loop: callers threads, back to back.
        heads: list[int] = []  # the log's last position before each closed-loop figure

        def closed_figure(call: Any, sources: Sequence[Iterator[Any]]) -> ClosedLoop[Any]:
            heads.append(settle(stub))
            return closed_loop(call, sources, seconds)

        numbers = itertools.count()
        closed = {
            BASELINE: closed_figure(check, [itertools.repeat(no_op) for _ in range(callers)]),
            "SignAgreement": closed_figure(
                stub.SignAgreement, [endless_signings("signed", numbers) for _ in range(callers)]
            ),
            "AmendAgreement": closed_figure(
                stub.AmendAgreement, [amendments.cycling(c, callers) for c in range(callers)]
            ),
        }
        unclosed = deque(request.agreement_id for request, _ in closed["SignAgreement"].exchanges)
        top_up(stub, unclosed, math.ceil(CLOSE_POOL_FACTOR * len(unclosed)), callers, "spare")
        closed["ClosePeriod"] = closed_figure(
            stub.ClosePeriod, [closings(unclosed) for _ in range(callers)]
        )

        # Open loop: one call every 1/rate s, the same rate for every kind of call.
        def open_figure(call: Any, requests: Sequence[Any], what: str) -> OpenLoop[Any]:
            settle(stub)
            return open_loop(call, requests, rate, what)

        opened = {
            BASELINE: open_figure(check, [no_op] * open_calls, BASELINE),
            "SignAgreement": open_figure(
                stub.SignAgreement,
                [sign_request(f"signed-open-{n}") for n in range(open_calls)],
                "SignAgreement",
            ),
            "AmendAgreement": open_figure(
                stub.AmendAgreement,
                [amendments.request(a) for a in itertools.islice(amended, open_calls)],
                "AmendAgreement",
            ),
        }
        unclosed.extend(request.agreement_id for request, _ in opened["SignAgreement"].exchanges)
        top_up(stub, unclosed, open_calls, callers, "spare-open")
        opened["ClosePeriod"] = open_figure(
            stub.ClosePeriod,
            [close_request(unclosed.popleft()) for _ in range(open_calls)],
            "ClosePeriod",
        )

        # Untimed: did every call append what it should have?
        check_health(closed[BASELINE].exchanges + opened[BASELINE].exchanges)
        check_signings(closed["SignAgreement"].exchanges + opened["SignAgreement"].exchanges)
        check_amendments(closed["AmendAgreement"].exchanges + opened["AmendAgreement"].exchanges)
        closings_made = closed["ClosePeriod"].exchanges + opened["ClosePeriod"].exchanges
        check_closings(closings_made)
        check_ledger(stub, amendments, [request.agreement_id for request, _ in closings_made])
        last = log_head(stub)

    rows = [Row(call, closed[call], opened[call]) for call in (BASELINE, *COMMANDS)]
    print_table(name, rows, seconds, callers, rate)
    print(f"log: {heads[-1]:,} events before the closed-loop ClosePeriod, {last:,} at the end")
    baseline = closed[BASELINE].rate
    return {command: closed[command].rate / baseline for command in COMMANDS}


def top_up(
    stub: pb_grpc.LedgerServiceStub,
    unclosed: deque[str],
    at_least: int,
    callers: int,
    prefix: str,
) -> None:
    """Sign new agreements prefix-<n> (untimed) until unclosed holds at_least of them."""
    missing = at_least - len(unclosed)
    if missing > 0:
        spare = [f"{prefix}-{n}" for n in range(missing)]
        sign_untimed(stub, spare, callers)
        unclosed.extend(spare)


def print_table(name: str, rows: Sequence[Row], seconds: float, callers: int, rate: float) -> None:
    """One backend's figures: closed-loop throughput, then open-loop latency."""
    print(f"\n{name} (default server: read models in its child process; period closer off)")
    print(
        f"closed loop: {callers} callers on one channel, {seconds:g} s per call; "
        f"open loop: {rate:g} calls/s offered for {seconds:g} s per call"
    )
    print(
        f"{'call':<22}{'calls':>8}{'calls/s':>10}{'x no-op':>9}"
        f"{'offered/s':>11}{'achieved/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'send lag ms':>13}"
    )
    baseline = rows[0].closed.rate
    for row in rows:
        latencies_ms = [latency * 1000 for latency in row.opened.latencies]
        print(
            f"{row.call:<22}{len(row.closed.exchanges):>8,}{row.closed.rate:>10,.0f}"
            f"{row.closed.rate / baseline:>9.2f}{row.opened.offered:>11,.0f}"
            f"{row.opened.achieved:>12,.0f}{percentile(latencies_ms, 0.5):>9.1f}"
            f"{percentile(latencies_ms, 0.99):>9.1f}{row.opened.send_lag * 1000:>13.1f}"
        )
    for row in rows:
        if row.closed.seconds < seconds:
            print(
                f"{row.call}: the closed loop ran out of agreements at {row.closed.seconds:.1f} s"
            )
    made = {row.call: len(row.closed.exchanges) + len(row.opened.exchanges) for row in rows}
    print(
        f"checked afterwards: {made['SignAgreement']:,} agreements signed, "
        f"{made['AmendAgreement']:,} amendments, {made['ClosePeriod']:,} Januaries closed"
    )


def run_backend(
    backend: str,
    workdir: Path,
    postgres_url: str | None,
    seconds: float,
    callers: int,
    rate: float,
) -> dict[str, float]:
    """Start a server on the backend and measure it; each command's ratio to the no-op call."""
    arguments = ["--close-periods", "off"]
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'commands.sqlite3'}"
        with running_server(url, workdir, arguments) as server:
            return measure("SQLite", server, seconds, callers, rate)
    assert postgres_url is not None
    with (
        scratch_schema(postgres_url) as (url, _),
        running_server(url, workdir, arguments) as server,
    ):
        return measure("PostgreSQL", server, seconds, callers, rate)


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per figure")
    parser.add_argument("--callers", type=int, default=8, help="closed-loop threads")
    parser.add_argument("--rate", type=float, default=100.0, help="open-loop calls per second")
    parser.add_argument(
        "--quick", action="store_true", help="0.5 s per figure at 20 calls/s: the harness only"
    )
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.rate = 0.5, 20.0
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    postgres_url = postgres_server_url() if "postgres" in backends else None
    if "postgres" in backends and postgres_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    ratios: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for backend in backends:
            measured = run_backend(
                backend,
                Path(scratch),
                postgres_url,
                options.seconds,
                options.callers,
                options.rate,
            )
            ratios.update(((command, backend), ratio) for command, ratio in measured.items())
    print()
    for (command, backend), ratio in ratios.items():
        goal(
            f"{command} on {backend} at least {GOAL_RATIO}x the no-op unary throughput",
            f"{ratio:.2f}x",
            ratio >= GOAL_RATIO,
        )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
