"""SubscribeEvents catch-up over gRPC against reading the same log in-process, in one run.

Usage: python -m bench.subscribe [--agreements N] [--repeats N] [--quick]

Builds a ledger of small events in-process (LedgerApplication, a SQLite file in a scratch
directory): --agreements agreements, each signed, amended twice and given two exclusions, five
events each (50,000 for the default 10,000 agreements). Then starts `sla-ledger serve
--close-periods off --projections off` on that file (nothing else runs in the server) and, from
this process, subscribes from position 0 with no filter and reads until the stream has delivered
every event of the log; the figure is events per second from the call to the last event, which
includes decoding the responses in this process. That server reads and maps every event from the
log. It then starts the server again with projections on, waits (ListBreaches with
min_log_position) until the read models, the event encodings among them, have caught up, and
measures the same subscription served from the encodings.

Baselines in the same run, in this process on the same file before the server starts:
app.recorder.select_notifications in pages of 500 (the server's page) with
app.mapper.to_domain_event on every notification; and the same plus
service.api.mapping.events.logged_event_to_proto, the server's whole per-event work without gRPC.
Every figure is the best of --repeats. --quick builds 100 agreements and measures once: it only
checks that the harness works.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import grpc

from bench.harness import best_rate, goal, quick_notice, running_server
from domain.exclusions import Exclusion, ExclusionKind
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.store.storage import parse_database_url

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = 500


class Clock:
    """A record clock one millisecond further at every reading, from 1 June 2026."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(milliseconds=1)
            return self.now


def terms(index: int, target: str) -> AgreementTerms:
    """One monthly availability objective; parties vary by index."""
    return AgreementTerms(
        provider=Party(f"provider-{index % 5}"),
        customer=Party(f"customer-{index % 50}"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("api",),
        time_zone="UTC",
        fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        term_start=JANUARY,
        term_end=None,
        objectives=(Objective("availability", "availability", Decimal(target), PeriodUnit.MONTH),),
    )


def build_ledger(app: LedgerApplication, agreements: int) -> None:
    """Five small events per agreement: signed, amended twice, two exclusions."""
    for index in range(agreements):
        agreement_id = f"agreement-{index:05d}"
        app.commands.sign_agreement(agreement_id, terms(index, "99.9"), JANUARY)
        for month, target in ((3, "99.5"), (6, "99.0")):
            app.commands.amend_agreement(
                agreement_id, terms(index, target), datetime(2026, month, 1, tzinfo=UTC)
            )
        for day in (10, 20):
            start = datetime(2026, 2, day, 1, tzinfo=UTC)
            app.commands.record_exclusion(
                agreement_id,
                Exclusion(
                    f"maintenance-{day}",
                    start,
                    start + timedelta(hours=1),
                    ExclusionKind.SCHEDULED_MAINTENANCE,
                    "announced",
                ),
            )


def read_in_process(app: LedgerApplication, to_proto: bool) -> int:
    """Read the whole log in pages of 500 and decode every event (and map it to its message)."""
    count = 0
    position = 0
    to_event = app.mapper.to_domain_event
    while page := app.recorder.select_notifications(start=position + 1, limit=PAGE):
        for notification in page:
            event = to_event(notification)
            if to_proto:
                logged_event_to_proto(LoggedEvent(notification.id, event))
        count += len(page)
        position = page[-1].id
    return count


def subscribe(stub: pb_grpc.LedgerServiceStub, head: int) -> int:
    """Subscribe from 0 and read until position head has been delivered; the events received."""
    received = 0
    responses = stub.SubscribeEvents(pb.SubscribeEventsRequest(after_position=0), timeout=600)
    try:
        for response in responses:
            received += len(response.events)
            if response.events and response.events[-1].position >= head:
                break
    finally:
        responses.cancel()
    return received


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.agreements, options.repeats = 100, 1
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        storage = parse_database_url(url)
        app = open_application(storage, clock=Clock())
        try:
            started = time.perf_counter()
            build_ledger(app, options.agreements)
            build_seconds = time.perf_counter() - started
            head = app.event_log.head()
            decode, total = best_rate(lambda: read_in_process(app, False), options.repeats)
            to_proto, _ = best_rate(lambda: read_in_process(app, True), options.repeats)
        finally:
            app.close()
        # First from the log alone (no read model has run yet), then from the event encodings
        # once the server's projections have caught up with the log.
        rates: dict[bool, float] = {}
        counts: dict[bool, int] = {}
        for projections in (False, True):
            flags = ["--close-periods", "off", "--projections", "on" if projections else "off"]
            with (
                running_server(url, workdir, flags) as server,
                grpc.insecure_channel(
                    server.target,
                    options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)],
                ) as channel,
            ):
                stub = pb_grpc.LedgerServiceStub(channel)
                if projections:
                    caught_up = pb.ListBreachesRequest(min_log_position=head)
                    stub.ListBreaches(caught_up, timeout=600)
                rates[projections], counts[projections] = best_rate(
                    partial(subscribe, stub, head), options.repeats
                )
    assert total == counts[False] == counts[True] == head, (total, counts, head)
    print(
        f"log: {total} events ({options.agreements} agreements x signed, 2 amended, "
        f"2 exclusions; built in {build_seconds:.0f} s), SQLite; best of {options.repeats}"
    )
    print(f"{'figure':<50}{'events/s':>12}{'x baseline':>12}")
    for label, rate in (
        ("in-process read + decode (baseline)", decode),
        ("in-process read + decode + to LedgerEvent", to_proto),
        ("SubscribeEvents from 0, read from the log", rates[False]),
        ("SubscribeEvents from 0, from the event encodings", rates[True]),
    ):
        print(f"{label:<50}{rate:>12,.0f}{rate / decode:>12.2f}")
    print()
    goal(
        "SubscribeEvents catch-up at least 100,000 events/s",
        f"{rates[True]:,.0f} events/s",
        rates[True] >= 100_000,
    )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
