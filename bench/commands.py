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
  reply; p50 and p99 are nearest-rank, in milliseconds.
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
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.harness import (
    CHANNEL_OPTIONS,
    START_SECONDS,
    ServerProcess,
    agreement_terms,
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
CALL_TIMEOUT = 30.0
SETTLE_TIMEOUT = 300.0
CLOSE_POOL_FACTOR = 1.25  # agreements left to close, per agreement the timed signing signed
CLOSE_UNTIL_SECONDS = 1_769_904_000  # 2026-02-01T00:00:00Z: January is due
AMEND_FROM_SECONDS = 1_772_323_200  # 2026-03-01T00:00:00Z
SIGNED_VERSION = 1  # an agreement's version right after signing
AMEND_TARGETS = ("99.9", "99.5")  # target after an even / odd number of amendments
AMEND_POOL = 256  # agreements signed for the amendments, at least
WARM_UP_CALLS = 3  # untimed calls per caller before each kind of call is timed
OPEN_LOOP_LEAD = 0.05  # seconds between preparing the open loop and its first send
COMMANDS = ("SignAgreement", "AmendAgreement", "ClosePeriod")
BASELINE = "Health/Check (no-op)"
RequestT = TypeVar("RequestT")


@dataclass(frozen=True)
class ClosedLoop(Generic[RequestT]):
    """What a closed-loop run sent and received, and how long it took."""

    exchanges: list[tuple[RequestT, Any]]
    seconds: float

    @property
    def rate(self) -> float:
        """Replies per second."""
        return len(self.exchanges) / self.seconds


@dataclass(frozen=True)
class OpenLoop(Generic[RequestT]):
    """What an open-loop run sent and received, each call's latency and the rates."""

    exchanges: list[tuple[RequestT, Any]]
    latencies: list[float]
    offered: float
    achieved: float


@dataclass(frozen=True)
class Row:
    """One line of a backend's table."""

    call: str
    closed: ClosedLoop[Any]
    opened: OpenLoop[Any]


def sign_request(agreement_id: str) -> pb.SignAgreementRequest:
    """Sign agreement_id, in force from 2026-01-01 with the harness's terms."""
    request = pb.SignAgreementRequest(agreement_id=agreement_id, terms=agreement_terms())
    request.signed_at.seconds = START_SECONDS
    return request


def close_request(agreement_id: str) -> pb.ClosePeriodRequest:
    """Close the periods of agreement_id that ended by 2026-02-01 (January)."""
    request = pb.ClosePeriodRequest(agreement_id=agreement_id)
    request.until.seconds = CLOSE_UNTIL_SECONDS
    return request


def target_after(amendments: int) -> str:
    """The objective's target once an agreement has had this many amendments."""
    return AMEND_TARGETS[amendments % 2]


class Amendments:
    """Amendments of signed agreements: each changes the target and expects the last version.

    Each agreement's requests must be sent one after the other, every one replied to before
    the next is sent; different agreements may be amended from different threads.
    """

    def __init__(self, agreement_ids: Sequence[str]) -> None:
        self.agreement_ids = list(agreement_ids)
        self.made = dict.fromkeys(agreement_ids, 0)

    def request(self, agreement_id: str) -> pb.AmendAgreementRequest:
        """The next amendment of agreement_id, counted as made."""
        number = self.made[agreement_id] + 1
        self.made[agreement_id] = number
        terms = agreement_terms()
        terms.objectives[0].target_percent = target_after(number)
        request = pb.AmendAgreementRequest(
            agreement_id=agreement_id,
            terms=terms,
            reason="benchmark",
            expected_version=SIGNED_VERSION + number - 1,
        )
        request.effective_from.seconds = AMEND_FROM_SECONDS
        return request

    def cycling(self, caller: int, callers: int) -> Iterator[pb.AmendAgreementRequest]:
        """Endless amendments of this caller's share of the agreements, round robin."""
        for agreement_id in itertools.cycle(self.agreement_ids[caller::callers]):
            yield self.request(agreement_id)


def endless_signings(prefix: str, numbers: Iterator[int]) -> Iterator[pb.SignAgreementRequest]:
    """Signings of new agreements prefix-<n>, n drawn from numbers (shared between callers)."""
    for number in numbers:
        yield sign_request(f"{prefix}-{number}")


def closings(unclosed: deque[str]) -> Iterator[pb.ClosePeriodRequest]:
    """Closings of agreements taken from unclosed (shared between callers) until it is empty."""
    while True:
        try:
            agreement_id = unclosed.popleft()
        except IndexError:
            return
        yield close_request(agreement_id)


def call_until(
    call: Callable[..., Any], deadline: float, requests: Iterator[RequestT]
) -> list[tuple[RequestT, Any]]:
    """Send requests one after the other until the deadline passes or they run out."""
    exchanges = []
    while time.perf_counter() < deadline:
        request = next(requests, None)
        if request is None:
            break
        exchanges.append((request, call(request, timeout=CALL_TIMEOUT)))
    return exchanges


def closed_loop(
    call: Callable[..., Any], sources: Sequence[Iterator[RequestT]], seconds: float
) -> ClosedLoop[RequestT]:
    """One thread per source sends its requests back to back for seconds (or until it runs
    out); the replies and the time from the start to the last reply."""
    with ThreadPoolExecutor(len(sources)) as callers:
        started = time.perf_counter()
        sent = list(callers.map(partial(call_until, call, started + seconds), sources))
        elapsed = time.perf_counter() - started
    return ClosedLoop([exchange for exchanges in sent for exchange in exchanges], elapsed)


def open_loop(
    call: Any, requests: Sequence[RequestT], rate: float, what: str
) -> OpenLoop[RequestT]:
    """Send requests with call.future, one every 1/rate s from one thread whatever the replies
    do; latency from each call's scheduled send to its reply. Fails if any call failed."""
    interval = 1.0 / rate
    finished_at = [0.0] * len(requests)
    finished = threading.Semaphore(0)

    def note_finish(index: int, _: object) -> None:
        finished_at[index] = time.perf_counter()
        finished.release()

    futures = []
    first = time.perf_counter() + OPEN_LOOP_LEAD
    for index, request in enumerate(requests):
        delay = first + index * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        future = call.future(request, timeout=CALL_TIMEOUT)
        future.add_done_callback(partial(note_finish, index))
        futures.append(future)
    for _ in futures:
        finished.acquire()
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        raise SystemExit(f"{what}: {len(failures)} of {len(futures)} calls failed: {failures[0]}")
    latencies = [finished_at[i] - (first + i * interval) for i in range(len(requests))]
    return OpenLoop(
        [(request, f.result()) for request, f in zip(requests, futures, strict=True)],
        latencies,
        rate,
        (len(requests) - 1) / (max(finished_at) - min(finished_at)) if len(requests) > 1 else 0.0,
    )


def check_distinct_positions(positions: Sequence[int], what: str) -> None:
    """Every command appended at its own log positions, all after 0."""
    assert min(positions, default=1) > 0, f"{what}: a reply without a log position"
    assert len(set(positions)) == len(positions), f"{what}: replies share log positions"


def check_signings(exchanges: Sequence[tuple[pb.SignAgreementRequest, Any]]) -> None:
    """Each signing signed the agreement asked for, at version 1."""
    for request, reply in exchanges:
        agreement = reply.agreement
        assert agreement.agreement_id == request.agreement_id, (request, reply)
        assert agreement.version == SIGNED_VERSION and agreement.terms_version == 1, reply
    check_distinct_positions([reply.log_position for _, reply in exchanges], "SignAgreement")


def check_amendments(exchanges: Sequence[tuple[pb.AmendAgreementRequest, Any]]) -> None:
    """Each amendment moved its agreement one version and one terms version on."""
    for request, reply in exchanges:
        assert reply.version == request.expected_version + 1, (request, reply)
        assert reply.terms_version == reply.version, (request, reply)
    check_distinct_positions([reply.log_position for _, reply in exchanges], "AmendAgreement")


def check_closings(exchanges: Sequence[tuple[pb.ClosePeriodRequest, Any]]) -> None:
    """Each close appended January's PeriodClosed first, for the agreement asked for."""
    for request, reply in exchanges:
        assert reply.events, f"ClosePeriod of {request.agreement_id} appended nothing"
        closed = reply.events[0]
        assert closed.WhichOneof("payload") == "period_closed", reply
        assert closed.agreement_id == request.agreement_id, (request, reply)
        assert reply.log_position == reply.events[-1].position, reply
    check_distinct_positions(
        [event.position for _, reply in exchanges for event in reply.events], "ClosePeriod"
    )


def check_health(exchanges: Sequence[tuple[Any, Any]]) -> None:
    """Every health check answered SERVING."""
    serving = health_pb2.HealthCheckResponse.SERVING
    assert all(reply.status == serving for _, reply in exchanges), "not SERVING"


def check_ledger(
    stub: pb_grpc.LedgerServiceStub, amendments: Amendments, closed: Sequence[str]
) -> None:
    """Read back what the commands appended: every amended agreement's version and target,
    and a second close of some closed agreements appends nothing."""
    for agreement_id, made in amendments.made.items():
        agreement = stub.GetAgreement(
            pb.GetAgreementRequest(agreement_id=agreement_id), timeout=CALL_TIMEOUT
        ).agreement
        assert agreement.version == SIGNED_VERSION + made, (agreement_id, made, agreement)
        assert agreement.terms_version == 1 + made, (agreement_id, made, agreement)
        assert agreement.terms.objectives[0].target_percent == target_after(made), agreement
    for agreement_id in closed[:: max(1, len(closed) // 20)]:
        again = stub.ClosePeriod(close_request(agreement_id), timeout=CALL_TIMEOUT)
        assert not again.events, f"January of {agreement_id} was not closed"


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
        f"{'offered/s':>11}{'achieved/s':>12}{'p50 ms':>9}{'p99 ms':>9}"
    )
    baseline = rows[0].closed.rate
    for row in rows:
        latencies_ms = [latency * 1000 for latency in row.opened.latencies]
        print(
            f"{row.call:<22}{len(row.closed.exchanges):>8,}{row.closed.rate:>10,.0f}"
            f"{row.closed.rate / baseline:>9.2f}{row.opened.offered:>11,.0f}"
            f"{row.opened.achieved:>12,.0f}{percentile(latencies_ms, 0.5):>9.1f}"
            f"{percentile(latencies_ms, 0.99):>9.1f}"
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
