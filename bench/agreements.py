"""ListAgreements (issue 16): pages of 100 from the agreement directory of 100,000 agreements,
in-process and over gRPC, beside GetAgreement of one agreement measured in the same run.

Usage: python -m bench.agreements [--agreements N] [--calls N] [--backend sqlite|postgres|both]
       [--quick]

The data, loaded in-process on a SQLite file in a scratch directory (aggregates built by the
domain and saved 2,000 at a time): N agreements agr-000000... of 50 providers and N/20
customers (20 agreements each), one in ten internal, the rest customer-based, each covering one
or two of five services from 1 January 2026; one in ten amended from 1 June 2026 to another
service, one in twenty terminated from 1 September 2026; and a service SLA with 1,000
subscribers (customers c-00000 to c-00999) from 1 February 2026. The read models catch up
in-process; then the same listings are timed in-process (ReadModels.list_agreements, the
servicer's read) and over gRPC against `sla-ledger serve --close-periods off` on that file:
the first page, a page from the middle (its token), and pages filtered by provider, customer,
service, status, kind, and at an earlier as_of and known_at. Each gRPC page is checked against
the in-process page. Both backends by default (--backend both): SQLite, then the same on a
scratch schema of the PostgreSQL server named by SLA_LEDGER_BENCH_POSTGRES_URL or
SLA_LEDGER_TEST_POSTGRES_URL (skipped without one, a failure with CI=true), with the same goal
lines for each. On PostgreSQL the directory's tables are ANALYZEd after the catch-up, as
autovacuum does after a load of that size on a server that runs it (the tests' server may not):
PostgreSQL plans from those statistics. --quick: 300 agreements and 5 calls, a harness check.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

from psycopg import sql
from sqlalchemy.engine import make_url

from bench.harness import (
    channel_to,
    goal,
    latencies_ms,
    percentile,
    postgres_connection,
    postgres_server_url,
    quick_notice,
    running_server,
)
from bench.service_data import new_database
from domain.agreement import Agreement
from domain.agreement_directory import DirectoryFilter
from domain.money import Money
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from projections.agreement_directory_tables import DIRECTORY_TABLES
from service.api.directory_inputs import agreement_listing
from service.api.mapping.directory import summary_to_proto
from service.bootstrap import open_ledger
from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2

START = datetime(2026, 1, 1, tzinfo=UTC)
AMENDED_FROM = datetime(2026, 6, 1, tzinfo=UTC)
TERMINATED_FROM = datetime(2026, 9, 1, tzinfo=UTC)
SERVICES = ("api", "storage", "compute", "database", "queue")
FEE = Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH)
OBJECTIVE = Objective("availability", "availability", Decimal("99.9"), PeriodUnit.MONTH)
SAVE_BATCH = 2_000
SUBSCRIBERS = 1_000
PAGE = 100
GOAL_MS = 20.0


def _terms(index: int, services: tuple[str, ...]) -> AgreementTerms:
    internal = index % 10 == 9
    return AgreementTerms(
        provider=Party(f"p-{index % 50:02d}", f"Provider {index % 50}"),
        customer=Party(f"c-{index // 20:05d}", f"Customer {index // 20}"),
        kind=AgreementKind.INTERNAL if internal else AgreementKind.CUSTOMER_BASED,
        services=services,
        time_zone="UTC",
        fee=FEE,
        term_start=START,
        term_end=None,
        objectives=(OBJECTIVE,),
    )


def _agreement(index: int, now: datetime) -> Agreement:
    services = tuple(dict.fromkeys((SERVICES[index % 5], SERVICES[(index // 5) % 5])))
    agreement = Agreement.sign(f"agr-{index:06d}", _terms(index, services), START, now)
    if index % 10 == 3:
        moved = (SERVICES[(index + 1) % 5],)
        agreement.amend(_terms(index, moved), AMENDED_FROM, False, "moved", now)
    if index % 20 == 7:
        agreement.terminate(TERMINATED_FROM, "ended", now)
    return agreement


def _service(now: datetime) -> tuple[Agreement, list[Subscription]]:
    terms = AgreementTerms(
        provider=Party("p-00"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("api",),
        time_zone="UTC",
        fee=Fee(Money(Decimal("0.00"), "EUR"), PeriodUnit.MONTH),
        term_start=START,
        term_end=None,
        tiers=(Tier("basic", "Basic", (OBJECTIVE,)),),
    )
    service = Agreement.sign("cloud-sla", terms, START, now)
    joined = datetime(2026, 2, 1, tzinfo=UTC)
    subscriptions = [
        Subscription.subscribe(service, Party(f"c-{c:05d}"), "basic", FEE, joined, None, now)
        for c in range(SUBSCRIBERS)
    ]
    return service, subscriptions


def _listings(agreements: int, known_at: datetime) -> dict[str, discovery_pb.ListAgreementsRequest]:
    """The requests timed: every one a page of 100."""
    middle = f"agr-{agreements // 2:06d}"
    earlier = discovery_pb.ListAgreementsRequest(page_size=PAGE)
    earlier.as_of.FromDatetime(datetime(2026, 3, 1, tzinfo=UTC))
    earlier.known_at.FromDatetime(known_at)
    return {
        "first page, no filter": discovery_pb.ListAgreementsRequest(page_size=PAGE),
        f"the page after {middle} (token)": discovery_pb.ListAgreementsRequest(page_size=PAGE),
        "provider p-07": discovery_pb.ListAgreementsRequest(provider_id="p-07", page_size=PAGE),
        "customer c-00007 (20 + 1 subscription)": discovery_pb.ListAgreementsRequest(
            customer_id="c-00007", page_size=PAGE
        ),
        "service storage": discovery_pb.ListAgreementsRequest(service="storage", page_size=PAGE),
        "status terminated": discovery_pb.ListAgreementsRequest(
            status=terms_pb2.AGREEMENT_STATUS_TERMINATED, page_size=PAGE
        ),
        "kind internal": discovery_pb.ListAgreementsRequest(
            kind=terms_pb2.AGREEMENT_KIND_INTERNAL, page_size=PAGE
        ),
        "as_of 2026-03-01, known_at the load's record time": earlier,
    }


def _filter_of(request: discovery_pb.ListAgreementsRequest) -> DirectoryFilter:
    kinds = {terms_pb2.AGREEMENT_KIND_INTERNAL: AgreementKind.INTERNAL}
    terminated = {terms_pb2.AGREEMENT_STATUS_TERMINATED: True}
    return DirectoryFilter(
        request.customer_id,
        request.provider_id,
        request.service,
        kinds.get(request.kind),
        terminated.get(request.status),
    )


def run(agreements: int, calls: int, backend: str) -> None:
    """Load, time, check and print the table and the goals."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        new_database(backend, Path(scratch), "ledger", postgres_server_url()) as url,
    ):
        workdir = Path(scratch)
        started = time.perf_counter()
        ledger = open_ledger(url)
        try:
            now = ledger.app.now()
            service, subscriptions = _service(now)
            ledger.app.save(service, *subscriptions)
            for first in range(0, agreements, SAVE_BATCH):
                last = min(agreements, first + SAVE_BATCH)
                ledger.app.save(*(_agreement(i, now) for i in range(first, last)))
            load_seconds = time.perf_counter() - started
            started = time.perf_counter()
            ledger.read_models.catch_up()
            project_seconds = time.perf_counter() - started
            if backend == "postgres":
                _analyze(url)
            head = ledger.app.event_log.head()
            known_at = ledger.app.now()
            asked = _listings(agreements, now)
            middle = f"agr-{agreements // 2:06d}"
            expected, timings = {}, {}
            for name, request in asked.items():
                after = middle if "token" in name else ""
                as_of = request.as_of.ToDatetime(UTC) if request.HasField("as_of") else known_at
                at = request.known_at.ToDatetime(UTC) if request.HasField("known_at") else known_at
                read = partial(
                    ledger.read_models.list_agreements,
                    _filter_of(request),
                    as_of,
                    at,
                    0,
                    after,
                    PAGE + 1,
                )
                expected[name] = [summary_to_proto(s) for s in read()[1][:PAGE]]
                timings[name] = {"in-process": latencies_ms(read, calls)}
            baseline = partial(ledger.app.agreements.agreement_at, middle, known_at, known_at)
            base = {"in-process": latencies_ms(baseline, calls)}
        finally:
            ledger.close()
        with (
            running_server(url, workdir, ["--close-periods", "off"]) as server,
            channel_to(server) as stub,
        ):
            for request in asked.values():  # the instants the in-process reads used
                if not request.HasField("as_of"):
                    request.as_of.FromDatetime(known_at)
                if not request.HasField("known_at"):
                    request.known_at.FromDatetime(known_at)
            # The token a listing would have given on the page ending with the middle one.
            opening = asked[f"the page after {middle} (token)"]
            listing = agreement_listing(opening, known_at)
            opening.page_token = listing.next_token(head, middle)
            stub.ListAgreements(
                discovery_pb.ListAgreementsRequest(min_log_position=head), timeout=600
            )
            for name, request in asked.items():
                call = partial(stub.ListAgreements, request, timeout=60)
                got = list(call().agreements)
                assert got == expected[name], f"{name}: the gRPC page is not the in-process one"
                timings[name]["over gRPC"] = latencies_ms(call, calls)
            get = pb.GetAgreementRequest(agreement_id=middle)
            base["over gRPC"] = latencies_ms(partial(stub.GetAgreement, get, timeout=60), calls)
    _print(agreements, load_seconds, project_seconds, timings, base, calls, backend)


def _analyze(url: str) -> None:
    """ANALYZE the agreement directory's tables in the scratch schema url names."""
    schema = str(make_url(url).query["schema"])
    server = postgres_server_url()
    assert server is not None
    with postgres_connection(server) as connection:
        for table in DIRECTORY_TABLES:
            connection.execute(
                sql.SQL("ANALYZE {}.{}").format(sql.Identifier(schema), sql.Identifier(table.name))
            )


def _print(
    agreements: int,
    load_seconds: float,
    project_seconds: float,
    timings: dict[str, dict[str, list[float]]],
    base: dict[str, list[float]],
    calls: int,
    backend: str,
) -> None:
    store = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
    analyzed = ", its directory tables ANALYZEd" if backend == "postgres" else ""
    print(
        f"\n{store}: {agreements:,} agreements and a service SLA with {SUBSCRIBERS:,} subscribers "
        f"(saved in {load_seconds:.0f} s, the read models caught up in-process in "
        f"{project_seconds:.0f} s{analyzed}); pages of {PAGE}, {calls} calls each after one "
        "warm-up"
    )
    print(f"{'listing':<52}{'where':>12}{'p50 ms':>9}{'p99 ms':>9}{'x base':>8}")
    for where in ("in-process", "over gRPC"):
        base_p50 = percentile(base[where], 0.5)
        print(
            f"{'baseline: GetAgreement of one agreement':<52}{where:>12}{base_p50:>9.2f}"
            f"{percentile(base[where], 0.99):>9.2f}{1:>8.1f}"
        )
        for name, by_where in timings.items():
            p50 = percentile(by_where[where], 0.5)
            print(
                f"{name:<52}{where:>12}{p50:>9.2f}{percentile(by_where[where], 0.99):>9.2f}"
                f"{p50 / base_p50:>8.1f}"
            )
    for where in ("in-process", "over gRPC"):
        worst = max(percentile(t[where], 0.5) for t in timings.values())
        goal(
            f"ListAgreements, {agreements:,} agreements, a page of {PAGE}, slowest listing's p50 "
            f"{where} ({store}) under {GOAL_MS:.0f} ms",
            f"{worst:.1f} ms",
            worst < GOAL_MS,
        )


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="300 agreements, 5 calls")
    options = parser.parse_args()
    if options.quick:
        quick_notice()
        options.agreements, options.calls = 300, 5
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    if "postgres" in backends and postgres_server_url() is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    for backend in backends:
        run(options.agreements, options.calls, backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
