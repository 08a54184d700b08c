"""One subscriber's compliance beside a customer-based agreement's with the same readings
(bench/services.py runs it).

In-process on a SQLite file in a scratch directory: the service with its subscribers and the
agreement `single` (premium's terms and fee), April's readings recorded once for each through
app.ingest; the read models then catch up. The question is the one GetCompliance asks:
as_of 2026-04-30T12:00Z, known_at after everything was recorded, objective availability. It is
asked the way the server answers it (the application's query, not over gRPC: the API's
GetCompliance customer_id had not landed when this was written): with the read models
(app.compliance.report / subscriber_report / tier_report with rollups, as the default server),
and without them (by replaying the streams the report needs, as a server run with
--projections off). The subscriber is customer-00000 (premium, the whole month, no exclusion
of its own), so its report's figures must equal the agreement's; both are checked against the
full-replay oracle. Calls alternate, the baseline then the subscriber then the tier, after one
warm-up call each, so a drift of the machine's speed weighs on all alike.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.harness import goal, percentile
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
from service.app.application import LedgerApplication
from service.app.rollup_reads import RollupSource
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url

GOAL_RATIO = 1.5
AS_OF = datetime(2026, 4, 30, 12, tzinfo=UTC)
Ask = Callable[[], tuple[ComplianceReport, int]]


def questions(
    app: LedgerApplication, rollups: RollupSource | None, known_at: datetime
) -> dict[str, Ask]:
    """The three reports asked, by name: the agreement's, the subscriber's and the tier's."""
    customer = subscriber(0)
    assert customer.tier_id == "premium" and not customer.excluded, customer
    queries = app.compliance
    return {
        "agreement": partial(queries.report, SINGLE, OBJECTIVE, AS_OF, known_at, rollups),
        "subscriber": partial(
            queries.subscriber_report,
            SERVICE,
            customer.customer_id,
            OBJECTIVE,
            AS_OF,
            known_at,
            rollups,
        ),
        "tier": partial(
            queries.tier_report, SERVICE, "premium", OBJECTIVE, AS_OF, known_at, rollups
        ),
    }


def check(app: LedgerApplication, asks: dict[str, Ask], known_at: datetime) -> None:
    """The answers equal the oracle's, and the subscriber's figures the agreement's."""
    queries = app.compliance
    answers = {name: ask()[0] for name, ask in asks.items()}
    customer = subscriber(0).customer_id
    oracles = {
        "agreement": queries.by_full_replay(SINGLE, OBJECTIVE, AS_OF, known_at),
        "subscriber": queries.subscribers.subscriber_by_full_replay(
            SERVICE, customer, OBJECTIVE, AS_OF, known_at
        ),
        "tier": queries.subscribers.tier_by_full_replay(
            SERVICE, "premium", OBJECTIVE, AS_OF, known_at
        ),
    }
    for name, answer in answers.items():
        assert answer == oracles[name], f"{name}: differs from the oracle"
    [mine] = answers["subscriber"].objectives
    [theirs] = answers["agreement"].objectives
    assert mine.period_label == theirs.period_label == "2026-04", (mine, theirs)
    assert mine.tracks == theirs.tracks, (mine.tracks, theirs.tracks)


def alternating_ms(asks: dict[str, Ask], calls: int) -> dict[str, list[float]]:
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
    """Load, check, time and print the table and the goal."""
    with tempfile.TemporaryDirectory() as scratch:
        storage = parse_database_url(f"sqlite:///{Path(scratch) / 'ledger.sqlite3'}")
        app = open_application(storage)
        models = open_read_models(app, storage)
        try:
            started = time.perf_counter()
            sign_service(app, subscribers)
            record_april(app, SERVICE)
            sign_single(app, SINGLE)
            record_april(app, SINGLE)
            load_seconds = time.perf_counter() - started
            started = time.perf_counter()
            models.catch_up()
            project_seconds = time.perf_counter() - started
            known_at = app.now()
            timings: dict[tuple[str, str], list[float]] = {}
            for mode, rollups, count in (
                ("with read models", models, calls),
                ("by stream replay", None, max(1, calls // 10)),
            ):
                asks = questions(app, rollups, known_at)
                check(app, asks, known_at)
                for name, found in alternating_ms(asks, count).items():
                    timings[mode, name] = found
        finally:
            models.stop()
            app.close()
    print(
        f"\nSQLite, in-process: service {SERVICE} with {subscribers:,} subscribers and agreement "
        f"{SINGLE}, April's readings once each (loaded in {load_seconds:.0f} s, read models "
        f"caught up in {project_seconds:.0f} s); as_of {AS_OF:%Y-%m-%dT%H:%MZ}"
    )
    print(f"{'figure':<62}{'calls':>7}{'p50 ms':>9}{'p99 ms':>9}{'x base':>8}")
    labels = {
        "agreement": "customer-based agreement (baseline)",
        "subscriber": "one subscriber (customer-00000, premium)",
        "tier": "tier premium",
    }
    ratios: dict[str, float] = {}
    for mode in ("with read models", "by stream replay"):
        base = percentile(timings[mode, "agreement"], 0.5)
        for name, label in labels.items():
            found = timings[mode, name]
            p50 = percentile(found, 0.5)
            ratios[f"{mode}, {name}"] = p50 / base
            print(
                f"{f'{mode}: {label}':<62}{len(found):>7}{p50:>9.2f}"
                f"{percentile(found, 0.99):>9.2f}{p50 / base:>8.2f}"
            )
    print()
    ratio = ratios["with read models, subscriber"]
    goal(
        f"a subscriber's compliance within {GOAL_RATIO}x of a customer-based agreement's "
        "(p50, the application's query with read models, as the default server answers)",
        f"{ratio:.2f}x",
        ratio <= GOAL_RATIO,
    )
