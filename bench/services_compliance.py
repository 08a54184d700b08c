"""One subscriber's GetCompliance beside a customer-based agreement's with the same readings
(bench/services.py runs it).

A SQLite file in a scratch directory is loaded in-process: the service with its subscribers and
the agreement `single` (premium's terms and fee), April's readings recorded once for each
through app.ingest. The question: as_of 2026-04-30T12:00Z, known_at after everything was
recorded, objective availability, asked of the agreement, of one subscriber (customer_id
customer-00000: premium, the whole month, no exclusion of its own, so its figures must equal
the agreement's) and of the tier premium (tier_id).

- Over gRPC: `sla-ledger serve --close-periods off` (read models in its child process) on that
  file, once its read models have caught up; GetCompliance from this process.
- In-process, after the server stopped, on the same file: the application's queries the server
  calls (app.compliance.report, subscriber_report, tier_report) with the read models, and
  without them (by replaying the streams the report needs, as a server run with
  --projections off).
Every answer is checked against the full-replay oracle. The calls of one figure take turns (the
agreement, the subscriber, the tier) after one warm-up call each, so a drift of the machine's
speed weighs on all alike. The goal is on the gRPC figure.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import channel_to, goal, percentile, running_server
from bench.service_data import (
    OBJECTIVE,
    SERVICE,
    SINGLE,
    record_april,
    sign_service,
    sign_single,
    subscriber,
)
from domain.compliance_report import ComplianceReport
from service.api.mapping.results import report_to_proto
from service.app.application import LedgerApplication
from service.app.rollup_reads import RollupSource
from service.bootstrap import open_application, open_read_models
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.storage import parse_database_url

GOAL_RATIO = 1.5
AS_OF = datetime(2026, 4, 30, 12, tzinfo=UTC)
CUSTOMER = subscriber(0)
LABELS = {
    "agreement": "customer-based agreement (baseline)",
    "subscriber": f"one subscriber ({CUSTOMER.customer_id}, {CUSTOMER.tier_id})",
    "tier": "tier premium",
}


def oracles(app: LedgerApplication, known_at: datetime) -> dict[str, ComplianceReport]:
    """The full-replay oracle's answers, by name; the subscriber's figures equal the
    agreement's."""
    assert CUSTOMER.tier_id == "premium" and not CUSTOMER.excluded, CUSTOMER
    queries = app.compliance
    found = {
        "agreement": queries.by_full_replay(SINGLE, OBJECTIVE, AS_OF, known_at),
        "subscriber": queries.subscribers.subscriber_by_full_replay(
            SERVICE, CUSTOMER.customer_id, OBJECTIVE, AS_OF, known_at
        ),
        "tier": queries.subscribers.tier_by_full_replay(
            SERVICE, "premium", OBJECTIVE, AS_OF, known_at
        ),
    }
    [mine] = found["subscriber"].objectives
    [theirs] = found["agreement"].objectives
    assert mine.period_label == theirs.period_label == "2026-04", (mine, theirs)
    assert mine.tracks == theirs.tracks, (mine.tracks, theirs.tracks)
    return found


def in_process(
    app: LedgerApplication, rollups: RollupSource | None, known_at: datetime
) -> dict[str, Callable[[], tuple[ComplianceReport, int]]]:
    """The application's three queries, by name, with the read models or without (None)."""
    queries = app.compliance
    return {
        "agreement": partial(queries.report, SINGLE, OBJECTIVE, AS_OF, known_at, rollups),
        "subscriber": partial(
            queries.subscriber_report,
            SERVICE,
            CUSTOMER.customer_id,
            OBJECTIVE,
            AS_OF,
            known_at,
            rollups,
        ),
        "tier": partial(
            queries.tier_report, SERVICE, "premium", OBJECTIVE, AS_OF, known_at, rollups
        ),
    }


def requests(known_at: datetime) -> dict[str, pb.GetComplianceRequest]:
    """The three GetCompliance requests, by name."""
    found = {
        "agreement": pb.GetComplianceRequest(agreement_id=SINGLE, objective_id=OBJECTIVE),
        "subscriber": pb.GetComplianceRequest(
            agreement_id=SERVICE, objective_id=OBJECTIVE, customer_id=CUSTOMER.customer_id
        ),
        "tier": pb.GetComplianceRequest(
            agreement_id=SERVICE, objective_id=OBJECTIVE, tier_id="premium"
        ),
    }
    for request in found.values():
        request.as_of.FromDatetime(AS_OF)
        request.known_at.FromDatetime(known_at)
    return found


def alternating_ms(asks: dict[str, Callable[[], Any]], calls: int) -> dict[str, list[float]]:
    """Milliseconds of calls calls of each ask, taking turns, after one warm-up each."""
    timings: dict[str, list[float]] = {name: [] for name in asks}
    for ask in asks.values():
        ask()
    for _ in range(calls):
        for name, ask in asks.items():
            started = time.perf_counter()
            ask()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def run(subscribers: int, calls: int) -> None:
    """Load, time, check and print the table and the goal."""
    timings: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        storage = parse_database_url(url)
        started = time.perf_counter()
        app = open_application(storage)
        try:
            sign_service(app, subscribers)
            record_april(app, SERVICE)
            sign_single(app, SINGLE)
            record_april(app, SINGLE)
            head = app.event_log.head()
            known_at = app.now()
        finally:
            app.close()
        load_seconds = time.perf_counter() - started
        asked = requests(known_at)
        with (
            running_server(url, workdir, ["--close-periods", "off"]) as server,
            channel_to(server) as stub,
        ):
            started = time.perf_counter()
            stub.ListBreaches(pb.ListBreachesRequest(min_log_position=head), timeout=600)
            project_seconds = time.perf_counter() - started
            answers = {n: stub.GetCompliance(r, timeout=60).report for n, r in asked.items()}
            timings["over gRPC"] = alternating_ms(
                {n: partial(stub.GetCompliance, r, timeout=60) for n, r in asked.items()}, calls
            )
        app = open_application(storage, create_tables=False)
        models = open_read_models(app, storage, create_tables=False)
        try:
            expected = oracles(app, known_at)
            for name, answer in answers.items():
                message = report_to_proto(expected[name])
                message.tier_id = "" if name == "agreement" else "premium"
                message.customer_id = asked[name].customer_id
                assert message == answer, f"gRPC {name}: not the oracle's answer"
            models.catch_up()
            for mode, rollups, count in (
                ("in-process, read models", models, calls),
                ("in-process, stream replay", None, max(1, calls // 4)),
            ):
                asks = in_process(app, rollups, known_at)
                for name, ask in asks.items():
                    assert ask()[0] == expected[name], f"{mode} {name}: not the oracle's"
                timings[mode] = alternating_ms(asks, count)
        finally:
            models.stop()
            app.close()
    print_table(subscribers, load_seconds, project_seconds, timings)


def print_table(
    subscribers: int,
    load_seconds: float,
    project_seconds: float,
    timings: dict[str, dict[str, list[float]]],
) -> None:
    """The p50 and p99 of every figure beside its baseline's; then the goal."""
    print(
        f"\nSQLite: service {SERVICE} with {subscribers:,} subscribers and agreement {SINGLE}, "
        f"April's readings once each (loaded in {load_seconds:.0f} s, the server's read models "
        f"caught up in {project_seconds:.0f} s); as_of {AS_OF:%Y-%m-%dT%H:%MZ}"
    )
    print(f"{'figure':<68}{'calls':>6}{'p50 ms':>8}{'p99 ms':>8}{'x base':>8}")
    ratios: dict[str, float] = {}
    for mode, by_name in timings.items():
        base = percentile(by_name["agreement"], 0.5)
        for name, label in LABELS.items():
            found = by_name[name]
            p50 = percentile(found, 0.5)
            ratios[f"{mode}, {name}"] = p50 / base
            print(
                f"{f'{mode}: {label}':<68}{len(found):>6}{p50:>8.2f}"
                f"{percentile(found, 0.99):>8.2f}{p50 / base:>8.2f}"
            )
    print()
    ratio = ratios["over gRPC, subscriber"]
    goal(
        f"a subscriber's GetCompliance (gRPC, p50) within {GOAL_RATIO}x of a customer-based "
        "agreement's",
        f"{ratio:.2f}x",
        ratio <= GOAL_RATIO,
    )
