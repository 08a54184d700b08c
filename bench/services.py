"""Service SLAs (issue 14): closing, ingest and GetCompliance for one service with 10,000
subscribers, each beside one customer-based agreement with the same readings, in one run.

Usage: python -m bench.services [--parts closing,ingest,compliance] [--backend sqlite|postgres|both]
       [--subscribers N] [--baselines N] [--readings N] [--batch-sizes 1000,10000] [--rounds N]
       [--projections process|off] [--calls N] [--quick]

The data (bench/service_data.py): the service SLA `cloud` with tiers basic (99.0%, its own bands)
and premium (99.9%, the service's bands), monthly RATIO availability, UTC, from 1 April 2026;
--subscribers subscribers, 40% premium (300 EUR a month) and 60% basic (100 EUR), one in eight
joining on 16 April (the fee pro-rated to half), one in 250 with a customer-caused exclusion of an
outage. April's 43,200 one-minute readings, two outages (432 and 108 minutes), are recorded once
for the service. The baseline is a customer-based agreement with premium's terms and fee.

- closing: on SQLite (a file in a scratch directory) and PostgreSQL (a scratch schema on the
  server named by SLA_LEDGER_BENCH_POSTGRES_URL or SLA_LEDGER_TEST_POSTGRES_URL), two ways, each
  on a new database loaded in-process: the service (subscriptions saved in one call, readings
  through app.ingest in batches of 10,000) and --baselines customer-based agreements with the
  same readings. In-process: Commands.close_periods(until 1 May) called until more_due is
  false. Over gRPC: `sla-ledger serve --close-periods off` (read models in its child process)
  started on that database, once its read models have caught up with the load, and ClosePeriod
  (until 1 May) from this process until more_due is false. Each baseline agreement is closed
  and timed alone (half before the service, half after; the median is the baseline), then the
  service. Checked afterwards from the log: one PeriodClosed per subscriber, none for the
  service itself, the credits issued equal to the hand computation printed
  (bench/service_data.py), and each baseline agreement's credit. The goal (under 10 s) is on
  SQLite; PostgreSQL is printed beside it.
- ingest: `sla-ledger serve --close-periods off` (read models in its child process) on a new
  database loaded in-process (the service with its subscribers, or the one agreement), once its
  read models have caught up with the load; --readings one-minute readings from 1 April in
  RecordMeasurements batches from this process, as messages and as columns, each acknowledged
  after its commit, then re-sent (all duplicates), as bench/ingest.py does. The service and the
  baseline get the same batches; --rounds rounds, alternating which goes first, best of each.
  --projections off runs the server without read models (ingest alone).
- compliance: GetCompliance over gRPC of one subscriber (customer_id), of its tier (tier_id)
  and of the baseline agreement, and the application's queries in-process, on SQLite: see
  bench/services_compliance.py.

--quick uses 100 subscribers, one baseline, 2,000 readings and 5 calls: it only checks that the
harness works, its figures mean nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import services_closing, services_compliance, services_ingest
from bench.harness import postgres_server_url, quick_notice

PARTS = ("closing", "ingest", "compliance")


def main() -> int:
    """Run the parts chosen and print their tables and goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--baselines", type=int, default=5, help="agreements closed (closing)")
    parser.add_argument("--readings", type=int, default=200_000, help="readings sent (ingest)")
    parser.add_argument("--batch-sizes", default="1000,10000", help="comma-separated (ingest)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, best of (ingest)")
    parser.add_argument(
        "--projections",
        choices=("process", "off"),
        default="process",
        help="the ingest server's read models: in its child process (default), or none",
    )
    parser.add_argument("--calls", type=int, default=200, help="timed calls each (compliance)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    parts = options.parts.split(",")
    if set(parts) - set(PARTS):
        parser.error(f"--parts takes {', '.join(PARTS)}")
    sizes = [int(size) for size in options.batch_sizes.split(",")]
    if options.quick:
        options.subscribers, options.baselines, options.readings = 100, 1, 2_000
        options.rounds, options.calls, sizes = 1, 5, [1_000]
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    postgres_url = postgres_server_url() if "postgres" in backends else None
    if "postgres" in backends and postgres_url is None:
        print("PostgreSQL: skipped, SLA_LEDGER_BENCH_POSTGRES_URL is not set")
        backends.remove("postgres")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        if "closing" in parts:
            services_closing.run(
                options.subscribers, options.baselines, backends, workdir, postgres_url
            )
        if "ingest" in parts:
            services_ingest.run(
                options.subscribers,
                options.readings,
                sizes,
                options.rounds,
                backends,
                workdir,
                postgres_url,
                options.projections == "process",
            )
    if "compliance" in parts:
        services_compliance.run(options.subscribers, options.calls)
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
