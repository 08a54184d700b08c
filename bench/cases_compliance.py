"""GetCompliance of case objectives with 1,000 and with 100,000 cases in a month, in one run.

Usage: python -m bench.cases_compliance [--small N] [--large N] [--calls N] [--quick]

Builds a ledger in-process (LedgerApplication on a SQLite file in a scratch directory) with two
agreements of the same terms: a monthly first-response objective (4 business hours, Monday to
Friday 09:00-17:00 UTC, label scope priority P1) and a monthly resolution objective (24 hours
of all time, pauses awaiting the customer stop it). Each agreement gets its cases in October
2026: opened at a random instant, a first response 0-8 hours later, on one case in four a
pause awaiting the customer of 0-10 hours, a resolution 1-40 hours after the opening, and on
one case in twenty a reopening and a second resolution; priorities P1 and P2 alternate. The
milestones are recorded through app.cases.record (RecordCaseEvents without gRPC) in
batches of one hour of business time each, live: the record clock stands 5 minutes after the
batch's hour, as a service desk reports them. The read models then catch up (timed).

Figures: GetCompliance as the server answers it with read models (ComplianceQueries
.from_rollups), as_of 2026-10-31T12:00Z and known_at now, --calls times per agreement after one
warm-up call; p50 and p95 (nearest rank) of each agreement printed side by side. Its answer is
checked against the replay oracle (by_full_replay) on the same question for both agreements.
--quick uses 20 and 200 cases and 5 calls: it only checks that the harness works.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from bench.harness import goal, latencies_ms, percentile, quick_notice
from domain.case_milestones import MAX_CASE_BATCH, Milestone, MilestoneKind
from domain.instants import from_epoch_us, to_epoch_us
from domain.money import Money
from domain.objectives import CaseClock, ClockStop, ObjectiveRules, Schedule
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)
HOUR_US = 3_600_000_000
LAG = timedelta(minutes=5)


class Clock:
    """The record clock; the benchmark moves it with business time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def terms() -> AgreementTerms:
    """A first-response and a resolution objective on cases, monthly, UTC."""
    response = ObjectiveRules(
        label_scope={"priority": "P1"},
        schedule=Schedule(days=(1, 2, 3, 4, 5), start_minute=9 * 60, end_minute=17 * 60),
        case_clock=CaseClock(ClockStop.FIRST_RESPONSE, 4 * 3600),
    )
    resolution = ObjectiveRules(case_clock=CaseClock(ClockStop.RESOLUTION, 24 * 3600))
    return AgreementTerms(
        provider=Party("desk"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("service-desk",),
        time_zone="UTC",
        fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        term_start=OCTOBER - timedelta(days=31),
        term_end=None,
        objectives=(
            Objective("response", "first_response", Decimal(90), PeriodUnit.MONTH, rules=response),
            Objective("resolution", "resolution", Decimal(95), PeriodUnit.MONTH, rules=resolution),
        ),
    )


def case_milestones(case_index: int, rng: random.Random) -> list[Milestone]:
    """One case's milestones in business order, as described above."""
    case_id = f"case-{case_index:06d}"
    span = to_epoch_us(NOVEMBER) - to_epoch_us(OCTOBER) - 48 * HOUR_US
    opened = to_epoch_us(OCTOBER) + rng.randrange(span)
    priority = "P1" if case_index % 2 else "P2"
    out = [Milestone(case_id, MilestoneKind.OPENED, opened, labels={"priority": priority})]
    out.append(
        Milestone(case_id, MilestoneKind.FIRST_RESPONSE, opened + rng.randrange(8 * HOUR_US))
    )
    resolved = opened + HOUR_US + rng.randrange(39 * HOUR_US)
    if case_index % 4 == 0:
        paused = out[-1].occurred_at_us + 1
        resumed = min(paused + rng.randrange(10 * HOUR_US), resolved - 2)
        if paused < resumed:
            out.append(Milestone(case_id, MilestoneKind.PAUSED, paused, reason="awaiting_customer"))
            out.append(Milestone(case_id, MilestoneKind.RESUMED, resumed))
    out.append(Milestone(case_id, MilestoneKind.RESOLVED, resolved))
    if case_index % 20 == 0:
        out.append(Milestone(case_id, MilestoneKind.REOPENED, resolved + HOUR_US))
        out.append(Milestone(case_id, MilestoneKind.RESOLVED, resolved + 3 * HOUR_US))
    return sorted(out, key=lambda m: m.occurred_at_us)


def record_cases(app: LedgerApplication, clock: Clock, agreement_id: str, cases: int) -> int:
    """Record the agreement's cases live, one hour of business time per batch; milestones."""
    rng = random.Random(cases)
    milestones = sorted(
        (m for i in range(cases) for m in case_milestones(i, rng)), key=lambda m: m.occurred_at_us
    )
    by_hour: dict[int, list[Milestone]] = {}
    for m in milestones:
        by_hour.setdefault(m.occurred_at_us // HOUR_US, []).append(m)
    for hour, batch in sorted(by_hour.items()):
        clock.now = max(clock.now, from_epoch_us((hour + 1) * HOUR_US) + LAG)
        for at in range(0, len(batch), MAX_CASE_BATCH):
            app.cases.record(agreement_id, batch[at : at + MAX_CASE_BATCH])
    return len(milestones)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.small, options.large, options.calls = 20, 200, 5
    sizes = {"small": options.small, "large": options.large}
    with tempfile.TemporaryDirectory() as scratch:
        storage = parse_database_url(f"sqlite:///{Path(scratch) / 'ledger.sqlite3'}")
        clock = Clock(OCTOBER - timedelta(days=31))
        app = open_application(storage, clock=clock)
        models = open_read_models(app, storage)
        try:
            recorded: dict[str, int] = {}
            started = time.perf_counter()
            for name in sizes:
                app.commands.sign_agreement(name, terms(), OCTOBER - timedelta(days=31))
            known_at = clock.now
            for name, cases in sizes.items():
                clock.now = OCTOBER - timedelta(days=31)
                recorded[name] = record_cases(app, clock, name, cases)
                known_at = max(known_at, clock.now)
            record_seconds = time.perf_counter() - started
            started = time.perf_counter()
            models.catch_up()
            project_seconds = time.perf_counter() - started
            timings: dict[str, list[float]] = {}
            for name in sizes:
                fast = partial(app.compliance.from_rollups, name, "", AS_OF, known_at, models)
                report, _ = fast()
                assert report == app.compliance.by_full_replay(name, "", AS_OF, known_at), name
                timings[name] = latencies_ms(fast, options.calls)
        finally:
            models.stop()
            app.close()
    if options.quick:
        quick_notice()
    print(
        f"recorded {recorded['small']:,} + {recorded['large']:,} milestones in "
        f"{record_seconds:.1f} s; read models caught up in {project_seconds:.1f} s"
    )
    print(f"GetCompliance (from_rollups), {options.calls} calls each after one warm-up:")
    print(f"{'':>10} {options.small:>12,} cases {options.large:>12,} cases")
    for label, fraction in (("p50 ms", 0.5), ("p95 ms", 0.95)):
        small = percentile(timings["small"], fraction)
        large = percentile(timings["large"], fraction)
        print(f"{label:>10} {small:>18.2f} {large:>18.2f}")
    small50 = percentile(timings["small"], 0.5)
    large50 = percentile(timings["large"], 0.5)
    goal(
        f"GetCompliance, a month with {options.large:,} cases: p50 under 50 ms",
        f"{large50:.1f} ms",
        large50 < 50,
    )
    goal(
        f"GetCompliance, a month with {options.large:,} cases: p50 within 1.5x of the same "
        f"query with {options.small:,} cases",
        f"{large50 / small50:.2f}x ({small50:.1f} ms)",
        large50 <= 1.5 * small50,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
