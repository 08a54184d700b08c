"""Closing April for a service SLA with its subscribers, beside closing one customer-based
agreement with the same month of readings (bench/services.py runs it)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.harness import goal, scratch_schema
from bench.service_data import (
    MAY,
    SERVICE,
    SINGLE,
    SINGLE_CREDIT,
    print_hand_computation,
    record_april,
    sign_service,
    sign_single,
)
from domain.period_results import BreachDetected, CreditIssued, PeriodClosed
from service.app.application import LedgerApplication
from service.bootstrap import open_application

GOAL_SECONDS = 10.0
PAGE = 5_000


@dataclass(frozen=True)
class Closed:
    """One agreement's closing of April: seconds, ClosePeriod calls, and what they appended."""

    seconds: float
    calls: int
    closed: int  # PeriodClosed events
    credits: dict[str, Decimal]  # customer id ("" for the agreement's own) -> credited EUR
    breaches: int


def close_all(app: LedgerApplication, agreement_id: str) -> Closed:
    """Close every period of agreement_id that ended by 1 May, calling close_periods until
    nothing more is due (timed); then count what those calls appended."""
    first = app.event_log.head()
    calls = 0
    started = time.perf_counter()
    while True:
        calls += 1
        if not app.commands.close_periods(agreement_id, MAY).more_due:
            break
    seconds = time.perf_counter() - started
    events = appended_after(app, first)
    mine = [e for e in events if getattr(e, "agreement_id", None) == agreement_id]
    credits: defaultdict[str, Decimal] = defaultdict(Decimal)
    for e in mine:
        if isinstance(e, CreditIssued):
            assert e.amount.currency == "EUR", e
            credits[e.customer_id] += e.amount.amount
    return Closed(
        seconds,
        calls,
        sum(isinstance(e, PeriodClosed) for e in mine),
        dict(credits),
        sum(isinstance(e, BreachDetected) for e in mine),
    )


def appended_after(app: LedgerApplication, position: int) -> list[Any]:
    """Every event of the log after position, decoded."""
    events: list[Any] = []
    while page := app.event_log.read_log(position, PAGE):
        events.extend(n.event() for n in page)
        position = page[-1].position
    return events


def measure(app: LedgerApplication, subscribers: int, baselines: int, backend: str) -> float:
    """Load the service and the baseline agreements, close them, print the table; the service's
    seconds."""
    started = time.perf_counter()
    sign_service(app, subscribers)
    record_april(app, SERVICE)
    names = [f"{SINGLE}-{k}" for k in range(baselines)]
    for name in names:
        sign_single(app, name)
        record_april(app, name)
    load_seconds = time.perf_counter() - started
    # Half the baseline closes before the service's and half after, so a drift of the
    # machine's speed during the run weighs on both sides alike.
    before, after = names[: baselines // 2 + 1], names[baselines // 2 + 1 :]
    single = [close_all(app, name) for name in before]
    service = close_all(app, SERVICE)
    single += [close_all(app, name) for name in after]
    for found in single:
        assert found.closed == 1 and found.credits == {"": SINGLE_CREDIT}, found
    per_agreement = statistics.median(found.seconds for found in single)
    print(
        f"\n{backend}: service {SERVICE} with {subscribers:,} subscribers (2 tiers) and "
        f"{baselines} customer-based agreements, April's 43,200 one-minute readings recorded "
        f"once each through app.ingest (loaded in {load_seconds:.0f} s)"
    )
    print(f"{'figure':<58}{'seconds':>10}{'ms each':>10}{'x baseline':>12}")
    print(
        f"{'close 1 customer-based agreement (baseline, median)':<58}"
        f"{per_agreement:>10.3f}{per_agreement * 1000:>10.2f}{1:>12.2f}"
    )
    each = service.seconds / max(1, subscribers)
    print(
        f"{f'close the service: {service.calls} close_periods calls':<58}"
        f"{service.seconds:>10.3f}{each * 1000:>10.2f}{each / per_agreement:>12.2f}"
    )
    print("  (ms each: per subscriber for the service; x baseline: per subscriber / per agreement)")
    expected = print_hand_computation(subscribers)
    paid = sum(service.credits.values(), Decimal(0))
    print(
        f"ledger: {service.closed:,} PeriodClosed, {service.breaches:,} BreachDetected, "
        f"{len(service.credits):,} CreditIssued, credits EUR {paid:,.2f} "
        f"(hand computation EUR {expected:,.2f})"
    )
    assert service.closed == subscribers, (service.closed, subscribers)
    assert "" not in service.credits, "the service itself was credited"
    assert paid == expected, (paid, expected)
    return service.seconds


def run(subscribers: int, baselines: int, backends: list[str], postgres_url: str | None) -> None:
    """Measure on each backend; print the goals."""
    seconds: dict[str, float] = {}
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as scratch:
                app = open_application(f"sqlite:///{Path(scratch) / 'ledger.sqlite3'}")
                try:
                    seconds[backend] = measure(app, subscribers, baselines, "SQLite")
                finally:
                    app.close()
        else:
            assert postgres_url is not None
            with scratch_schema(postgres_url) as (url, _):
                app = open_application(url)
                try:
                    seconds[backend] = measure(app, subscribers, baselines, "PostgreSQL")
                finally:
                    app.close()
    print()
    if "postgres" in seconds:
        print(f"(PostgreSQL, no goal: {seconds['postgres']:.1f} s)")
    if "sqlite" in seconds:
        goal(
            f"closing a month of one service with {subscribers:,} subscribers on SQLite: "
            f"under {GOAL_SECONDS:.0f} s",
            f"{seconds['sqlite']:.1f} s",
            seconds["sqlite"] < GOAL_SECONDS,
        )
