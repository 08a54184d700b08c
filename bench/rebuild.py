"""Rebuilding the read models against reading the notification log alone, in one run.

Usage: python -m bench.rebuild [--agreements N] [--repeats N] [--quick]

Builds a ledger in-process (LedgerApplication with a record clock, a SQLite file in a scratch
directory) with a realistic mix: --agreements agreements with two RATIO objectives (monthly,
UTC, a banded credit policy), hourly readings of both for January to March 2026, an amendment
on every 5th agreement and an exclusion on every 3rd, every period closed on 1 April (half the
agreements breach, producing BreachDetected and CreditIssued), and on every 4th agreement a late
reading that, after RecalculatePeriod, retracts January's breach and adjusts its credit.

Figures are events of the whole log per second, best of --repeats:

- read + decode every event (baseline): app.recorder.select_notifications in pages of 500 and
  app.mapper.to_domain_event on every notification;
- read + decode the projected topics: ReadModels.read_log in pages of 500, the runners' shared
  read, decoding the events of the topics some read model handles;
- ReadModels.rebuild(): drop and create the read models' tables, then apply the whole log, as
  `sla-ledger rebuild-projections` does (the event encodings, a cache of the log that depends on
  nothing but the events, are kept: they were built before timing, as on a live server);
- ReadModels.rebuild(encodings=True): the same with the event encodings rebuilt too, as
  `sla-ledger rebuild-projections --encodings` does (needed only when their version changes).

--quick builds 8 agreements and measures once: it only checks that the harness works.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.harness import best_rate, goal, quick_notice
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.read_models import ReadModels
from projections.runner import checksum
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, tzinfo=UTC)
HOUR_US = 3_600_000_000
PAGE = 500


class Clock:
    """A record clock one millisecond further at every reading, from 1 April 2026 02:00Z."""

    def __init__(self) -> None:
        self.now = APRIL + timedelta(hours=2)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(milliseconds=1)
            return self.now


def terms(index: int, target: str = "99.9") -> AgreementTerms:
    """Two monthly RATIO objectives with a 10% credit below target; parties vary by index."""
    policy = CreditPolicy(BandsRule((CreditBand(Decimal(target), Decimal(10)),)))
    rules = ObjectiveRules(credit_policy=policy)
    return AgreementTerms(
        provider=Party(f"provider-{index % 5}"),
        customer=Party(f"customer-{index % 20}"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("api",),
        time_zone="UTC",
        fee=Fee(Money(Decimal("1000.00"), "EUR" if index % 2 else "USD"), PeriodUnit.MONTH),
        term_start=JANUARY,
        term_end=None,
        objectives=(
            Objective(
                "availability", "availability", Decimal(target), PeriodUnit.MONTH, rules=rules
            ),
            Objective("errors", "error-rate", Decimal("99.5"), PeriodUnit.MONTH, rules=rules),
        ),
    )


def hourly_readings(index: int) -> list[Measurement]:
    """Hourly counts of both objectives, January to March; odd agreements lose 10% of an hour a
    day, which breaches 99.9% every month."""
    first = to_epoch_us(JANUARY)
    hours = (to_epoch_us(APRIL) - first) // HOUR_US
    readings = []
    for hour in range(hours):
        good = 3240 if index % 2 and hour % 24 == 3 else 3600
        at = first + hour * HOUR_US
        readings.append(Measurement("availability", "", at, good, 3600))
        readings.append(Measurement("errors", "", at, 3600, 3600))
    return readings


def build_ledger(app: LedgerApplication, agreements: int) -> None:
    """Sign, amend, exclude, measure, close and recalculate: the mix described above."""
    for index in range(agreements):
        agreement_id = f"agreement-{index:04d}"
        app.commands.sign_agreement(agreement_id, terms(index), JANUARY)
        if index % 5 == 0:
            app.commands.amend_agreement(
                agreement_id, terms(index, "99.8"), FEBRUARY, reason="renegotiated"
            )
        if index % 3 == 0:
            start = datetime(2026, 2, 10, 1, tzinfo=UTC)
            exclusion = Exclusion(
                f"maintenance-{index}",
                start,
                start + timedelta(hours=2),
                ExclusionKind.SCHEDULED_MAINTENANCE,
                "announced",
            )
            app.commands.record_exclusion(agreement_id, exclusion)
        readings = hourly_readings(index)
        for offset in range(0, len(readings), 10_000):
            app.ingest.record_measurements(agreement_id, readings[offset : offset + 10_000])
        app.commands.close_periods(agreement_id, APRIL)
        if index % 4 == 1:
            late = Measurement("availability", "late", to_epoch_us(JANUARY) + 1, 10**7, 10**7)
            app.ingest.record_measurements(agreement_id, [late])
            app.commands.recalculate_period(agreement_id, "availability", "2026-01")


def read_everything(app: LedgerApplication) -> int:
    """Read the whole log in pages and decode every event; the number of events."""
    count = 0
    position = 0
    to_event = app.mapper.to_domain_event
    while page := app.recorder.select_notifications(start=position + 1, limit=PAGE):
        for notification in page:
            to_event(notification)
        count += len(page)
        position = page[-1].id
    return count


def read_projected(models: ReadModels) -> int:
    """Read the whole log in pages as the runners do, decoding the events they handle."""
    count = 0
    position = 0
    topics = frozenset().union(*(runner.topics for runner in models.runners))
    while page := models.read_log(position, PAGE):
        for entry in page:
            if entry.topic in topics:
                entry.event()
        count += len(page)
        position = page[-1].position
    return count


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.agreements, options.repeats = 8, 1
    with tempfile.TemporaryDirectory() as scratch:
        storage = parse_database_url(f"sqlite:///{Path(scratch) / 'ledger.sqlite3'}")
        app = open_application(storage, clock=Clock())
        models = open_read_models(app, storage, create_tables=False)
        try:
            started = time.perf_counter()
            build_ledger(app, options.agreements)
            build_seconds = time.perf_counter() - started
            topics: dict[str, int] = {}
            position = 0
            while page := app.recorder.select_notifications(start=position + 1, limit=PAGE):
                for n in page:
                    name = n.topic.rsplit(":", 1)[-1]
                    topics[name] = topics.get(name, 0) + 1
                position = page[-1].id
            models.create()
            read_all, total = best_rate(lambda: read_everything(app), options.repeats)
            read_runner, runner_total = best_rate(lambda: read_projected(models), options.repeats)
            models.catch_up()  # as on a live server: the event encodings are there already
            rebuild, rebuilt = best_rate(models.rebuild, options.repeats)
            with_encodings, _ = best_rate(lambda: models.rebuild(encodings=True), options.repeats)
            digest = checksum(models.engine)
            models.rebuild()
            assert checksum(models.engine) == digest
        finally:
            models.stop()
            app.close()
    assert total == runner_total == rebuilt == sum(topics.values()), (total, rebuilt, topics)
    print(
        f"ledger: {options.agreements} agreements, {total} events (built in "
        f"{build_seconds:.0f} s), SQLite; best of {options.repeats}"
    )
    print("events: " + ", ".join(f"{name} {n}" for name, n in sorted(topics.items())))
    print(f"{'figure':<46}{'events/s':>12}{'x baseline':>12}")
    for label, rate in (
        ("read + decode every event (baseline)", read_all),
        ("read + decode the projected topics (runner)", read_runner),
        ("ReadModels.rebuild()", rebuild),
        ("ReadModels.rebuild(encodings=True)", with_encodings),
    ):
        print(f"{label:<46}{rate:>12,.0f}{rate / read_all:>12.2f}")
    print()
    goal(
        "projection rebuild at least 0.5x reading the notification log",
        f"{rebuild / read_all:.2f}x",
        rebuild / read_all >= 0.5,
    )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
