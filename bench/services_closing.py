"""Closing April for a service SLA with its subscribers, beside closing one customer-based
agreement with the same month of readings, in-process and over gRPC (bench/services.py runs
it)."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.harness import channel_to, goal, running_server
from bench.service_data import (
    MAY,
    SERVICE,
    SINGLE,
    SINGLE_CREDIT,
    new_database,
    print_hand_computation,
    record_april,
    sign_service,
    sign_single,
)
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

GOAL_SECONDS = 10.0
PAGE = 5_000
WAYS = {
    "in-process": "Commands.close_periods in-process",
    "gRPC": "ClosePeriod over gRPC",
}
Closer = Callable[[str], bool]  # closes some due periods of an agreement; whether more are due


@dataclass(frozen=True)
class Appended:
    """What the closes appended for one agreement."""

    closed: int  # PeriodClosed events
    breaches: int  # BreachDetected events
    credits: dict[str, Decimal]  # customer id ("" for the agreement's own) -> credited EUR


@dataclass(frozen=True)
class Figures:
    """One way of closing on one backend: seconds and calls per agreement, and what they
    appended."""

    timings: dict[str, tuple[float, int]]
    appended: dict[str, Appended]
    load_seconds: float


def timed_closing(close: Closer, agreement_id: str) -> tuple[float, int]:
    """Close every period of agreement_id that ended by 1 May, calling close until nothing more
    is due; the seconds and the calls it took."""
    calls = 0
    started = time.perf_counter()
    while True:
        calls += 1
        if not close(agreement_id):
            break
    return time.perf_counter() - started, calls


def close_everything(close: Closer, names: list[str]) -> dict[str, tuple[float, int]]:
    """Close the baseline agreements and the service: half the baselines before the service and
    half after, so a drift of the machine's speed during the run weighs on both sides alike."""
    half = len(names) // 2 + 1
    timings = {name: timed_closing(close, name) for name in names[:half]}
    timings[SERVICE] = timed_closing(close, SERVICE)
    timings.update({name: timed_closing(close, name) for name in names[half:]})
    return timings


def appended_after(app: LedgerApplication, position: int) -> dict[str, Appended]:
    """What the log holds after position, by agreement."""
    events: dict[str, list[Any]] = defaultdict(list)
    while page := app.event_log.read_log(position, PAGE):
        for notification in page:
            event = notification.event()
            events[getattr(event, "agreement_id", "")].append(event)
        position = page[-1].position
    found = {}
    for agreement_id, mine in events.items():
        credits: defaultdict[str, Decimal] = defaultdict(Decimal)
        for e in mine:
            if isinstance(e, CreditIssued):
                assert e.amount.currency == "EUR", e
                credits[e.customer_id] += e.amount.amount
        found[agreement_id] = Appended(
            sum(isinstance(e, PeriodClosed) for e in mine),
            sum(isinstance(e, BreachDetected) for e in mine),
            dict(credits),
        )
    return found


def measure(url: str, workdir: Path, subscribers: int, baselines: int, way: str) -> Figures:
    """Load the service and the baselines into a new database, close them one way, and read
    back what the closes appended."""
    started = time.perf_counter()
    app = open_application(url)
    names = [f"{SINGLE}-{k}" for k in range(baselines)]
    try:
        sign_service(app, subscribers)
        record_april(app, SERVICE)
        for name in names:
            sign_single(app, name)
            record_april(app, name)
        first = app.event_log.head()
        load_seconds = time.perf_counter() - started
        if way == "in-process":
            timings = close_everything(lambda a: app.commands.close_periods(a, MAY).more_due, names)
            return Figures(timings, appended_after(app, first), load_seconds)
    finally:
        app.close()
    until = pb.ClosePeriodRequest().until
    until.FromDatetime(MAY)
    with (
        running_server(url, workdir, ["--close-periods", "off"]) as server,
        channel_to(server) as stub,
    ):
        caught_up = pb.ListBreachesRequest(min_log_position=first, page_size=1)
        stub.ListBreaches(caught_up, timeout=600)  # the read models took in the load

        def close(agreement_id: str) -> bool:
            request = pb.ClosePeriodRequest(agreement_id=agreement_id, until=until)
            reply: pb.ClosePeriodResponse = stub.ClosePeriod(request, timeout=600)
            return reply.more_due

        timings = close_everything(close, names)
    app = open_application(url)
    try:
        return Figures(timings, appended_after(app, first), load_seconds)
    finally:
        app.close()


def report(backend: str, subscribers: int, found: dict[str, Figures]) -> dict[str, float]:
    """Print one backend's table and check what was appended; the service's seconds by way."""
    baselines = len(next(iter(found.values())).timings) - 1
    loaded = max(figures.load_seconds for figures in found.values())
    print(
        f"\n{backend}: service {SERVICE} with {subscribers:,} subscribers (2 tiers), and "
        f"{baselines} customer-based agreements, April's 43,200 one-minute readings recorded "
        f"once for each through app.ingest (each database loaded in at most {loaded:.0f} s)"
    )
    print(f"{'figure':<58}{'s':>8}{'calls':>6}{'ms each':>9}{'x base':>8}")
    seconds: dict[str, float] = {}
    for way, figures in found.items():
        single = [t for name, t in figures.timings.items() if name != SERVICE]
        per_agreement = statistics.median(s for s, _ in single)
        print(
            f"{f'{WAYS[way]}: 1 agreement (median)':<58}{per_agreement:>8.3f}"
            f"{single[0][1]:>6}{per_agreement * 1000:>9.2f}{1:>8.2f}"
        )
        seconds[way], calls = figures.timings[SERVICE]
        each = seconds[way] / max(1, subscribers)
        print(
            f"{f'{WAYS[way]}: the service':<58}{seconds[way]:>8.3f}"
            f"{calls:>6}{each * 1000:>9.3f}{each / per_agreement:>8.3f}"
        )
    print("(ms each: per subscriber for the service; x base: that over the agreement's)")
    expected = print_hand_computation(subscribers)
    for way, figures in found.items():
        service = figures.appended[SERVICE]
        paid = sum(service.credits.values(), Decimal(0))
        print(
            f"ledger, {way}: {service.closed:,} PeriodClosed, {service.breaches:,} "
            f"BreachDetected, {len(service.credits):,} CreditIssued, credits EUR {paid:,.2f} "
            f"(hand computation EUR {expected:,.2f})"
        )
        assert service.closed == subscribers, (service.closed, subscribers)
        assert "" not in service.credits, "the service itself was credited"
        assert paid == expected, (paid, expected)
        for name, appended in figures.appended.items():
            if name != SERVICE:
                assert appended == Appended(1, 1, {"": SINGLE_CREDIT}), (name, appended)
    return seconds


def run(
    subscribers: int,
    baselines: int,
    backends: list[str],
    workdir: Path,
    postgres_url: str | None,
) -> None:
    """Measure each way on each backend; print the goals."""
    seconds: dict[str, dict[str, float]] = {}
    for backend in backends:
        found = {}
        for way in WAYS:
            with new_database(backend, workdir, f"closing-{way}", postgres_url) as url:
                found[way] = measure(url, workdir, subscribers, baselines, way)
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        seconds[backend] = report(name, subscribers, found)
    print()
    for backend, by_way in seconds.items():
        for way, figure in by_way.items():
            if backend != "sqlite":
                print(f"(no goal on {backend}: {way} {figure:.1f} s)")
                continue
            goal(
                f"closing a month of one service with {subscribers:,} subscribers on SQLite, "
                f"{way}: under {GOAL_SECONDS:.0f} s",
                f"{figure:.1f} s",
                figure < GOAL_SECONDS,
            )
