"""GetCase latency over gRPC with a year of a service desk's history, in one run.

Usage: python -m bench.case_lookup [--backend sqlite|postgres|both] [--cases N] [--calls N]
       [--quick]

For each backend: starts `sla-ledger serve --close-periods off` on a free port (a SQLite file in
a scratch directory, or a scratch schema on the PostgreSQL server named by
SLA_LEDGER_BENCH_POSTGRES_URL or SLA_LEDGER_TEST_POSTGRES_URL) and signs two agreements with the
four case objectives of bench/case_data.py (business hours, UTC, monthly): `year`, given --cases
tickets (50,000) opened evenly from 2025-11-01 to 2026-11-01, 3 to 6 milestones each (about
180,000), recorded in business order in RecordCaseEvents batches of 10,000; and `single`, given
one ticket. Once the read models have caught up (ListBreaches with min_log_position), it asks
GetCase about three P1 tickets of `year` (opened in its first month, in the middle, in its last
month), each at four points: as_of while its clocks run (30 minutes after opening), as_of an hour
after its resolution, as_of and known_at unset (now), and known_at just after the batch that
opened it was acknowledged (its later milestones possibly not known yet). Each question is
asked --calls times, round robin after one warm-up call each; p50 and p95 (nearest rank) of the
client-side latencies are printed for all of them and for each point. Every reply is checked:
the case, its clocks (P1 response and resolution), and a timeline that is not empty.

Baselines in the same run, on the same server and channel: GetAgreement on `year` (the floor of
any call) and the same four questions about the one ticket of `single`. The goal (issue 13):
GetCase p50 under 10 ms with a year of history. --quick records 200 tickets and makes 5 calls a
question: it only checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.case_data import (
    HOUR,
    MINUTE,
    YEAR_END,
    YEAR_START,
    Ticket,
    milestone_batches,
    sign_case_agreement,
    tickets,
)
from bench.harness import (
    channel_to,
    goal,
    latencies_ms,
    percentile,
    postgres_server_url,
    quick_notice,
    running_server,
    scratch_schema,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

GOAL_MS = 10.0
BATCH_SIZE = 10_000
POINTS = ("running", "resolved", "now", "known_at opening")


@dataclass(frozen=True)
class Question:
    """One GetCase request and which point of the case it reads."""

    point: str
    request: pb.GetCaseRequest


def questions_about(agreement_id: str, case: Ticket, opening_known_at: datetime) -> list[Question]:
    """The four questions about case: while running, after resolution, now, known at opening."""
    found = []
    for point in POINTS:
        request = pb.GetCaseRequest(agreement_id=agreement_id, case_id=case.case_id)
        if point == "running":
            request.as_of.seconds = case.opened + 30 * MINUTE
        elif point == "resolved":
            request.as_of.seconds = case.resolved + HOUR
        elif point == "known_at opening":
            request.known_at.FromDatetime(opening_known_at)
        found.append(Question(point, request))
    return found


def record(
    stub: pb_grpc.LedgerServiceStub, agreement_id: str, desk: list[Ticket]
) -> tuple[int, dict[str, datetime]]:
    """Record desk's milestones; the last log position, and for each case the instant just after
    the batch holding its opening was acknowledged."""
    opened_in: dict[str, datetime] = {}
    position = 0
    for request in milestone_batches(agreement_id, desk, BATCH_SIZE):
        reply = stub.RecordCaseEvents(request, timeout=300)
        assert reply.recorded_count == len(request.milestones), reply
        position = max(position, reply.log_position)
        acknowledged = datetime.now(UTC)
        for m in request.milestones:
            opened_in.setdefault(m.case_id, acknowledged)
    return position, opened_in


def check(reply: pb.GetCaseResponse, question: Question) -> None:
    """Fail unless reply answers question with a timeline and the P1 clocks."""
    assert reply.case_id == question.request.case_id, reply
    assert reply.milestones, reply
    clocks = {clock.objective_id for clock in reply.clocks}
    assert {"p1-response", "p1-resolution"} <= clocks, (question.point, clocks)


def timed_rounds(
    stub: pb_grpc.LedgerServiceStub, questions: list[Question], calls: int
) -> dict[str, list[float]]:
    """Milliseconds per point: every question once untimed (and checked), then calls times each,
    round robin."""
    for question in questions:
        check(stub.GetCase(question.request, timeout=60), question)
    timings: dict[str, list[float]] = {point: [] for point in POINTS}
    for question in questions * calls:
        started = time.perf_counter()
        stub.GetCase(question.request, timeout=60)
        timings[question.point].append((time.perf_counter() - started) * 1000)
    return timings


def measure(database_url: str, workdir: Path, name: str, cases: int, calls: int) -> float:
    """Print one backend's table; return the p50 of GetCase over all year questions."""
    spacing = (YEAR_END - YEAR_START - 3 * 24 * HOUR) // cases
    desk = tickets(cases, YEAR_START, spacing)
    p1 = [t for t in desk if t.milestones[0].labels["priority"] == "P1"]
    chosen = [p1[0], p1[len(p1) // 2], p1[-1]]
    lone = tickets(1, YEAR_START + 40 * 24 * HOUR, 1)
    with (
        running_server(database_url, workdir, ["--close-periods", "off"]) as server,
        channel_to(server) as stub,
    ):
        sign_case_agreement(stub, "year", YEAR_START)
        sign_case_agreement(stub, "single", YEAR_START)
        started = time.perf_counter()
        position, year_opened = record(stub, "year", desk)
        ingest_seconds = time.perf_counter() - started
        single_position, single_opened = record(stub, "single", lone)
        last = pb.ListBreachesRequest(min_log_position=max(position, single_position), page_size=1)
        stub.ListBreaches(last, timeout=600)
        year_questions = [
            q for case in chosen for q in questions_about("year", case, year_opened[case.case_id])
        ]
        single_questions = questions_about("single", lone[0], single_opened[lone[0].case_id])
        get_agreement = pb.GetAgreementRequest(agreement_id="year")
        floor = latencies_ms(lambda: stub.GetAgreement(get_agreement, timeout=60), calls * 4)
        single = timed_rounds(stub, single_questions, calls)
        year = timed_rounds(stub, year_questions, calls)
    milestones = sum(len(t.milestones) for t in desk)

    def row(label: str, timings: list[float]) -> str:
        return f"{label:<58}{percentile(timings, 0.5):>10.1f}{percentile(timings, 0.95):>10.1f}"

    every_year = [t for timings in year.values() for t in timings]
    every_single = [t for timings in single.values() for t in timings]
    print(
        f"\n{name}: agreement `year` with {cases} tickets ({milestones} milestones, "
        f"2025-11-01 to 2026-11-01) recorded in {ingest_seconds:.0f} s in batches of "
        f"{BATCH_SIZE}; `single` with 1 ticket; {calls} calls a question"
    )
    print(f"{'figure':<58}{'p50 ms':>10}{'p95 ms':>10}")
    print(row("GetAgreement `year` (floor)", floor))
    print(row("GetCase, 1-ticket agreement, all 4 points (baseline)", every_single))
    print(row("GetCase, year of history, 3 tickets x 4 points", every_year))
    for point in POINTS:
        print(row(f"  as_of/known_at: {point}", year[point]))
    p50 = percentile(every_year, 0.5)
    ratio = p50 / percentile(every_single, 0.5)
    print(f"{'year / 1-ticket agreement, GetCase p50':<58}{ratio:>10.2f}")
    return p50


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--cases", type=int, default=50_000, help="tickets in the year")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per question")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.cases, options.calls = 200, 5
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    postgres_url = postgres_server_url() if "postgres" in backends else None
    if "postgres" in backends and postgres_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    p50s: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
                p50s[backend] = measure(url, workdir, "SQLite", options.cases, options.calls)
            else:
                assert postgres_url is not None
                with scratch_schema(postgres_url) as (url, _):
                    p50s[backend] = measure(
                        url, workdir, "PostgreSQL", options.cases, options.calls
                    )
    print()
    for backend, p50 in p50s.items():
        goal(
            f"GetCase p50 under {GOAL_MS:.0f} ms with a year of history on {backend}",
            f"{p50:.1f} ms",
            p50 < GOAL_MS,
        )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
