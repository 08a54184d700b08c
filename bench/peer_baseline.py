"""The ledger against the peer a team would build instead: GetCompliance and ingest on
PostgreSQL beside one plain table of the same readings and one SQL aggregate, in one run.

Usage: python -m bench.peer_baseline [--calls N] [--quick]

The ledger: `sla-ledger serve --close-periods off` (read models in its child process) in a
scratch schema on the PostgreSQL server named by SLA_LEDGER_BENCH_POSTGRES_URL or
SLA_LEDGER_TEST_POSTGRES_URL, with two agreements of one monthly RATIO objective `availability`
(99.9%) each: `plain` (UTC, every hour counts) and `business` (Europe/Berlin, business hours
Monday to Friday 08:00-18:00 local, readings outside them not counted), which also has one
exclusion recorded (RecordExclusion) on Tuesday 2026-10-27, 09:00-13:30 local. From this
process the same year of one-minute readings (bench.compliance's: 525,600, November 2025 to
October 2026) is recorded into each in RecordMeasurements batches of 10,000 as columns, each
acknowledged after its commit: the ledger's ingest figure is readings per second acknowledged.
Once its rollups caught up, each agreement is asked GetCompliance(as_of 2026-10-31T12:00Z,
known_at after the last write), --calls times after one warm-up; GetAgreement is the floor.

The peer (bench/peer_table.py), in another scratch schema on the same server, over psycopg from
this process: one table readings(agreement_id, at timestamptz, good, total, PRIMARY KEY
(agreement_id, at)), filled with the same readings by one COPY per batch of 10,000, one
transaction each (its ingest figure: rows per second), while the ledger is idle; then asked the
same two questions as one SQL aggregate each, timed the same way. Its answers (good, total,
readings counted and excluded, and the attainment at the ledger's 6 decimals, half-even) must
equal GetCompliance's, or the benchmark stops with an error. The window is the ledger's: the
period holding as_of (a local month; GetCompliance judges one period, none is longer than a
quarter), read from a table holding the whole year. For scale, the peer's sum over one
agreement's whole year (every row; not a question GetCompliance answers) is timed too.

Readings are instants: one counts in business hours when the local wall clock at its
observed_at is in them, and is excluded when observed_at is in the exclusion's [start, end)
(domain/compliance.py tally_readings), so none straddles an edge.

Goals (issue 18): GetCompliance p50 at least 10x faster than the peer's aggregate, plain and
with business hours and the exclusion. The ingest ratio is printed without a goal (the issue
sets none). --quick records a week of readings per agreement and makes 5 calls each: it only
checks that the harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from time import perf_counter

from bench.compliance import AS_OF, BATCH_SIZE, MINUTE, MONTH_END, YEAR_READINGS, reading_batches
from bench.harness import (
    agreement_terms,
    channel_to,
    goal,
    latencies_ms,
    percentile,
    postgres_server_url,
    quick_notice,
    running_server,
    scratch_schema,
    sign,
)
from bench.ingest import as_columns
from bench.peer_table import (
    Answer,
    Connection,
    Question,
    Row,
    ask,
    copy_rate,
    peer_table,
    year_aggregate,
)
from service.generated.sla.ledger.v1 import compliance_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

GOAL_SPEEDUP = 10
ZONE = "Europe/Berlin"
OPENS, CLOSES = time(8), time(18)
# Tuesday 2026-10-27, 09:00-13:30 in Berlin (CET): inside the quick week and in business hours.
EXCLUSION = (datetime(2026, 10, 27, 8, tzinfo=UTC), datetime(2026, 10, 27, 12, 30, tzinfo=UTC))
QUESTIONS = {
    "plain": Question("plain", AS_OF, "UTC", None, None),
    "business": Question("business", AS_OF, ZONE, (OPENS, CLOSES), EXCLUSION),
}
LABELS = {"plain": "plain", "business": "business hours + exclusion"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def business_terms(start_seconds: int) -> terms_pb2.AgreementTerms:
    """The harness's terms in Berlin, the objective counting business hours only."""
    terms = agreement_terms(start_seconds)
    terms.time_zone = ZONE
    terms.objectives[0].schedule.CopyFrom(
        terms_pb2.Schedule(
            days=[1, 2, 3, 4, 5],
            start_minute=OPENS.hour * 60 + OPENS.minute,
            end_minute=CLOSES.hour * 60 + CLOSES.minute,
        )
    )
    return terms


def sign_agreements(stub: pb_grpc.LedgerServiceStub, start_seconds: int) -> None:
    """Sign both agreements in force from start_seconds and record the business one's exclusion."""
    sign(stub, "plain", start_seconds)
    request = pb.SignAgreementRequest(agreement_id="business", terms=business_terms(start_seconds))
    request.signed_at.seconds = start_seconds
    stub.SignAgreement(request, timeout=30)
    exclusion = terms_pb2.Exclusion(
        exclusion_id="maintenance-2026-10-27",
        kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
        reason="database upgrade",
        evidence="CHG-1027",
    )
    exclusion.start.FromDatetime(EXCLUSION[0])
    exclusion.end.FromDatetime(EXCLUSION[1])
    reply = stub.RecordExclusion(
        pb.RecordExclusionRequest(agreement_id="business", exclusion=exclusion), timeout=30
    )
    assert reply.recorded, reply


def peer_rows(requests: list[pb.RecordMeasurementsRequest]) -> list[list[Row]]:
    """The peer's rows of requests sent as columns: one list per batch."""
    return [
        [
            (request.agreement_id, EPOCH + timedelta(microseconds=at_us), good, total)
            for block in request.columns
            for at_us, good, total in zip(
                block.observed_at_micros, block.good, block.total, strict=True
            )
        ]
        for request in requests
    ]


@dataclass(frozen=True)
class Figures:
    """One run's figures: ingest rates, latencies (ms) by call, and the two sides' answers."""

    ledger_ingest: float
    peer_ingest: float
    ms: dict[str, list[float]]
    tracks: dict[str, compliance_pb2.TrackCompliance]
    answers: dict[str, Answer]


def ledger_ingest(
    stub: pb_grpc.LedgerServiceStub, requests: list[pb.RecordMeasurementsRequest], total: int
) -> float:
    """Readings per second acknowledged; returns once the read models have caught up."""
    started = perf_counter()
    replies = [stub.RecordMeasurements(request, timeout=300) for request in requests]
    rate = total / (perf_counter() - started)
    assert sum(reply.recorded_count for reply in replies) == total
    last = max(reply.log_position for reply in replies)
    stub.ListBreaches(pb.ListBreachesRequest(min_log_position=last, page_size=1), timeout=600)
    return rate


def measure(server_url: str, workdir: Path, readings: int, calls: int) -> Figures:
    """Load both sides with the same readings, then time their answers to the same questions."""
    requests = [
        as_columns(request)
        for name in QUESTIONS
        for request in reading_batches(name, readings, MONTH_END)
    ]
    rows = peer_rows(requests)
    total = sum(len(batch) for batch in rows)
    with contextlib.ExitStack() as stack:
        url, _ = stack.enter_context(scratch_schema(server_url))
        server = stack.enter_context(running_server(url, workdir, ["--close-periods", "off"]))
        stub = stack.enter_context(channel_to(server))
        sign_agreements(stub, MONTH_END - readings * MINUTE)
        ledger_rate = ledger_ingest(stub, requests, total)
        connection = stack.enter_context(peer_table(server_url))
        peer_rate = copy_rate(connection, rows)
        grpc_questions = {name: compliance_request(name) for name in QUESTIONS}
        tracks = {name: only_track(stub, request) for name, request in grpc_questions.items()}
        answers = {name: ask(connection, question) for name, question in QUESTIONS.items()}
        for name in QUESTIONS:
            check(name, tracks[name], answers[name])
        get_agreement = pb.GetAgreementRequest(agreement_id="plain")
        ms = {"floor": latencies_ms(partial(stub.GetAgreement, get_agreement, timeout=60), calls)}
        for name, request in grpc_questions.items():
            ms[name] = latencies_ms(partial(stub.GetCompliance, request, timeout=60), calls)
            ms[f"peer {name}"] = latencies_ms(partial(ask, connection, QUESTIONS[name]), calls)
        ms["peer year"] = latencies_ms(partial(year_of, connection, readings), calls)
    return Figures(ledger_rate, peer_rate, ms, tracks, answers)


def compliance_request(agreement_id: str) -> pb.GetComplianceRequest:
    """GetCompliance of the agreement's objective at AS_OF, known now."""
    request = pb.GetComplianceRequest(agreement_id=agreement_id, objective_id="availability")
    request.as_of.FromDatetime(AS_OF)
    request.known_at.FromDatetime(datetime.now(UTC))
    return request


def only_track(
    stub: pb_grpc.LedgerServiceStub, request: pb.GetComplianceRequest
) -> compliance_pb2.TrackCompliance:
    """The one track of the one objective GetCompliance reports."""
    reply: pb.GetComplianceResponse = stub.GetCompliance(request, timeout=60)
    [objective] = reply.report.objectives
    [track] = objective.tracks
    return track


def year_of(connection: Connection, readings: int) -> None:
    """The peer's sum over every reading of the plain agreement."""
    start = EPOCH + timedelta(seconds=MONTH_END - readings * MINUTE)
    year_aggregate(connection, "plain", start, EPOCH + timedelta(seconds=MONTH_END))


def check(name: str, track: compliance_pb2.TrackCompliance, answer: Answer) -> None:
    """Stop the benchmark unless the peer's answer is GetCompliance's, figure by figure."""
    ledger = (
        Decimal(track.good),
        Decimal(track.total),
        track.readings,
        track.excluded,
        Decimal(track.attained) if track.attained else None,
    )
    peer = (
        Decimal(answer.good),
        Decimal(answer.total),
        answer.readings,
        answer.excluded,
        answer.attained,
    )
    if ledger != peer or answer.readings == 0:
        raise SystemExit(
            f"{name}: the peer's (good, total, readings, excluded, attained) {peer} "
            f"differ from GetCompliance's {ledger}"
        )


def report(figures: Figures, readings: int, calls: int) -> None:
    """Print the tables and the goal lines."""
    p50 = {name: percentile(timings, 0.5) for name, timings in figures.ms.items()}
    print(
        f"readings: {readings} one-minute readings for each of {len(QUESTIONS)} agreements, in "
        f"batches of {BATCH_SIZE}, PostgreSQL (ledger and peer in scratch schemas, one server)"
    )
    print(
        f"question: compliance at {AS_OF:%Y-%m-%dT%H:%MZ} over the local month holding it, "
        f"known after the last write; {calls} calls each after a warm-up"
    )
    for name, answer in figures.answers.items():
        print(
            f"answer, equal on both sides, {LABELS[name]}: {answer.attained}% "
            f"({answer.good}/{answer.total}, {answer.readings} readings, "
            f"{answer.excluded} excluded)"
        )
    print(f"{'figure':<58}{'p50 ms':>9}{'p99 ms':>9}{'peer/ledger':>13}")
    rows: list[tuple[str, str, str | None]] = [("GetAgreement over gRPC (floor)", "floor", None)]
    for name in QUESTIONS:
        rows.append((f"GetCompliance over gRPC, {LABELS[name]}", name, None))
        rows.append((f"  peer SQL aggregate, {LABELS[name]}", f"peer {name}", name))
    rows.append((f"  peer sum over the whole year ({readings} rows, plain)", "peer year", "plain"))
    for label, key, ledger_key in rows:
        ratio = f"{p50[key] / p50[ledger_key]:>13.2f}" if ledger_key else ""
        timings = figures.ms[key]
        print(f"{label:<58}{p50[key]:>9.1f}{percentile(timings, 0.99):>9.1f}{ratio}")
    ingest_ratio = figures.ledger_ingest / figures.peer_ingest
    print(f"\n{'ingest, batches of 10,000 (both agreements)':<58}{'rows/s':>12}{'x peer':>9}")
    print(f"{'peer COPY into its table, one transaction a batch':<58}{figures.peer_ingest:>12,.0f}")
    print(
        f"{'ledger RecordMeasurements as columns, acknowledged':<58}"
        f"{figures.ledger_ingest:>12,.0f}{ingest_ratio:>9.2f}"
    )
    print()
    for name in QUESTIONS:
        speedup = p50[f"peer {name}"] / p50[name]
        ceiling = p50[f"peer {name}"] / p50["floor"]  # even a call doing nothing takes the floor
        goal(
            f"GetCompliance p50 for a year at least {GOAL_SPEEDUP}x faster than the peer's SQL "
            f"aggregate, {LABELS[name]}",
            f"{speedup:.2f}x ({p50[name]:.1f} ms vs {p50[f'peer {name}']:.1f} ms; "
            f"the floor call allows at most {ceiling:.1f}x)",
            speedup >= GOAL_SPEEDUP,
        )
    print(
        f"ingest (no goal set): the ledger's acknowledged readings/s are {ingest_ratio:.2f}x "
        "the peer's COPY rows/s"
    )


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="timed calls per figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    readings = YEAR_READINGS
    if options.quick:
        readings, options.calls = 7 * 24 * 60, 5
    server_url = postgres_server_url()
    if server_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        figures = measure(server_url, Path(scratch), readings, options.calls)
    report(figures, readings, options.calls)
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
