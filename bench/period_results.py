"""ListPeriodResults latency: a page of a customer's closed periods across many agreements.

Usage: python -m bench.period_results [--agreements N] [--calls N] [--quick]

Starts `sla-ledger serve --close-periods off` on a free port with a SQLite file in a scratch
directory, signs --agreements agreements of customer globex (one monthly RATIO objective, UTC,
from 2025-01-01), records one reading a month in each and closes January to December 2025: 12
closed periods an agreement. Once the read models have caught up (min_log_position) it asks,
--calls times each after one warm-up call: ListPeriodResults of globex, pages of 100 and of 500
(the first page; every period folded from its stream as known now), ListPeriodResults of one
agreement (its 12 periods), and, as the baseline in the same run, GetCompliance of one agreement
at 2025-12-15 (inside a closed month, so its closed result is read too). The p50 and p99
(nearest rank) of the client-side latencies are printed. The last page of the customer's
listing is checked to be reached with the periods all listed once.
--quick signs 5 agreements and makes 5 calls each: it only checks that the harness works.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.harness import (
    channel_to,
    latencies_ms,
    percentile,
    quick_notice,
    running_server,
    sign,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb

MONTHS = 12
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 1, 1, tzinfo=UTC)


def _seed(stub: pb_grpc.LedgerServiceStub, agreements: int) -> int:
    """Sign, read and close a year of each agreement; the log position of the last close."""
    position = 0
    for index in range(agreements):
        agreement_id = f"sla-{index:05d}"
        sign(stub, agreement_id, int(YEAR_START.timestamp()))
        readings = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
        for month in range(MONTHS):
            reading = readings.measurements.add(objective_id="availability")
            reading.observed_at.FromDatetime(datetime(2025, month + 1, 10, tzinfo=UTC))
            reading.counts.good, reading.counts.total = 999 + month % 2, 1000
        stub.RecordMeasurements(readings, timeout=60)
        close = pb.ClosePeriodRequest(agreement_id=agreement_id)
        close.until.FromDatetime(YEAR_END)
        position = stub.ClosePeriod(close, timeout=60).log_position
    return position


def _every_page(stub: pb_grpc.LedgerServiceStub, size: int) -> int:
    request = history_pb.ListPeriodResultsRequest(customer_id="globex", page_size=size)
    listed = 0
    while True:
        page = stub.ListPeriodResults(request, timeout=120)
        listed += len(page.periods)
        if not page.next_page_token:
            return listed
        request.page_token = page.next_page_token


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=500, help="agreements of the customer")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    if options.quick:
        options.agreements, options.calls = 5, 5
    timings: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        with (
            running_server(url, workdir, ["--close-periods", "off"]) as server,
            channel_to(server) as stub,
        ):
            position = _seed(stub, options.agreements)
            stub.ListPeriodResults(
                history_pb.ListPeriodResultsRequest(
                    customer_id="globex", min_log_position=position
                ),
                timeout=600,
            )
            assert _every_page(stub, 500) == options.agreements * MONTHS
            compliance = pb.GetComplianceRequest(agreement_id="sla-00001")
            compliance.as_of.FromDatetime(datetime(2025, 12, 15, tzinfo=UTC))
            assert (
                stub.GetCompliance(compliance, timeout=60).report.objectives[0].HasField("closed")
            )
            questions = {
                "compliance": partial(stub.GetCompliance, compliance, timeout=60),
                "customer 100": partial(
                    stub.ListPeriodResults,
                    history_pb.ListPeriodResultsRequest(customer_id="globex", page_size=100),
                    timeout=60,
                ),
                "customer 500": partial(
                    stub.ListPeriodResults,
                    history_pb.ListPeriodResultsRequest(customer_id="globex", page_size=500),
                    timeout=60,
                ),
                "agreement": partial(
                    stub.ListPeriodResults,
                    history_pb.ListPeriodResultsRequest(agreement_id="sla-00001"),
                    timeout=60,
                ),
            }
            for name, call in questions.items():
                timings[name] = latencies_ms(call, options.calls)

    def row(label: str, name: str) -> str:
        found = timings[name]
        return f"{label:<62}{percentile(found, 0.5):>10.1f}{percentile(found, 0.99):>10.1f}"

    print(
        f"periods: {options.agreements} agreements of one customer x {MONTHS} closed months, "
        f"SQLite, over gRPC; {options.calls} calls per figure"
    )
    print(f"{'figure':<62}{'p50 ms':>10}{'p99 ms':>10}")
    print(row("GetCompliance of one agreement inside a closed month (baseline)", "compliance"))
    print(row("ListPeriodResults of the customer, a page of 100", "customer 100"))
    print(row("ListPeriodResults of the customer, a page of 500", "customer 500"))
    print(row("ListPeriodResults of one agreement (12 periods)", "agreement"))
    base = percentile(timings["compliance"], 0.5)
    ratio = percentile(timings["customer 100"], 0.5) / base
    print(f"{'a page of 100 / GetCompliance p50':<62}{ratio:>10.2f}")
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
