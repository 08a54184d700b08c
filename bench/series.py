"""GetComplianceSeries latency for a 31-day month of one-minute readings, beside GetCompliance.

Usage: python -m bench.series [--calls N] [--quick]

Starts `sla-ledger serve --close-periods off` on a free port with a SQLite file in a scratch
directory, signs one agreement with one monthly RATIO objective (UTC) and records October 2026
minute by minute (44,640 readings) in RecordMeasurements batches of 10,000. Once the server's
rollups have caught up (a ListBreaches call with min_log_position waits for them) it asks,
--calls times each after one warm-up call: GetComplianceSeries of October by local day (31
points, period_at 2026-10-31T12:00Z, as_of the month's end) and, as the baseline in the same
run, GetCompliance at the month's last second (2026-10-31T23:59:59Z), both known at just after
the last reading. The p50 and p99 (nearest rank) of the client-side latencies are printed.

Then, in this process on the same SQLite file after the server has stopped, the same two
questions from rollups (LedgerApplication.series.from_rollups and compliance.from_rollups), the
series by replaying the window's streams, and the oracle (one full replay per point), whose
points must equal the server's.
--quick records one day and makes 5 calls each: it only checks that the harness works.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.compliance import MINUTE, reading_batches
from bench.compliance import MONTH_END as MONTH_END_SECONDS
from bench.harness import (
    channel_to,
    goal,
    latencies_ms,
    percentile,
    quick_notice,
    running_server,
    sign,
)
from domain.compliance_series import Step
from service.api.mapping.series import series_to_proto
from service.app.compliance_series import SeriesQuestion
from service.bootstrap import open_application, open_read_models
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

MONTH_READINGS = 31 * 24 * 60  # October 2026
PERIOD_AT = datetime(2026, 10, 31, 12, tzinfo=UTC)
MONTH_END = datetime.fromtimestamp(MONTH_END_SECONDS, UTC)  # 2026-11-01T00:00Z
LAST_SECOND = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
AGREEMENT = "month"


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="timed calls per figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness only")
    options = parser.parse_args()
    readings = MONTH_READINGS
    if options.quick:
        readings, options.calls = 24 * 60, 5
    end_seconds = int(MONTH_END.timestamp())
    series_request = series_pb.GetComplianceSeriesRequest(
        agreement_id=AGREEMENT, objective_id="availability", step=series_pb.SERIES_STEP_DAY
    )
    series_request.period_at.FromDatetime(PERIOD_AT)
    series_request.as_of.FromDatetime(MONTH_END)
    compliance_request = pb.GetComplianceRequest(
        agreement_id=AGREEMENT, objective_id="availability"
    )
    compliance_request.as_of.FromDatetime(LAST_SECOND)
    grpc_ms: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
        with (
            running_server(url, workdir, ["--close-periods", "off"]) as server,
            channel_to(server) as stub,
        ):
            sign(stub, AGREEMENT, end_seconds - MONTH_READINGS * MINUTE)
            replies = [
                stub.RecordMeasurements(r, timeout=120)
                for r in reading_batches(AGREEMENT, readings, end_seconds)
            ]
            assert sum(r.recorded_count for r in replies) == readings
            last_position = max(r.log_position for r in replies)
            stub.ListBreaches(pb.ListBreachesRequest(min_log_position=last_position), timeout=600)
            known_at = datetime.now(UTC)
            series_request.known_at.FromDatetime(known_at)
            compliance_request.known_at.FromDatetime(known_at)
            served = stub.GetComplianceSeries(series_request, timeout=120)
            assert [len(t.points) for t in served.tracks] == [31], served.tracks
            grpc_ms["compliance"] = latencies_ms(
                partial(stub.GetCompliance, compliance_request, timeout=120), options.calls
            )
            grpc_ms["series"] = latencies_ms(
                partial(stub.GetComplianceSeries, series_request, timeout=120), options.calls
            )
        app = open_application(url)
        models = open_read_models(app, url, create_tables=False)
        try:
            question = SeriesQuestion(
                AGREEMENT, "availability", PERIOD_AT, MONTH_END, known_at, Step.DAY
            )
            oracle = app.series.by_full_replay(question)
            assert series_to_proto(oracle, 0).tracks == served.tracks, "differs from the oracle"
            calls: dict[str, Callable[[], object]] = {
                "compliance": partial(
                    app.compliance.from_rollups,
                    AGREEMENT,
                    "availability",
                    LAST_SECOND,
                    known_at,
                    models,
                ),
                "series": partial(app.series.from_rollups, question, models),
                "replay": partial(app.series.by_stream_replay, question),
                "oracle": partial(app.series.by_full_replay, question),
            }
            replays = ("replay", "oracle")  # slow: a few calls
            local_ms = {
                name: latencies_ms(call, 5 if name in replays else options.calls)
                for name, call in calls.items()
            }
        finally:
            models.stop()
            app.close()

    def row(label: str, timings: list[float]) -> str:
        return f"{label:<58}{percentile(timings, 0.5):>10.1f}{percentile(timings, 0.99):>10.1f}"

    print(
        f"readings: {readings} one-minute readings of October 2026 (UTC) in batches of 10,000, "
        f"SQLite; {options.calls} calls per figure (5 for the replays)"
    )
    print(f"{'figure':<58}{'p50 ms':>10}{'p99 ms':>10}")
    print(row("GetCompliance over gRPC, as_of the month's last second", grpc_ms["compliance"]))
    print(row("GetComplianceSeries over gRPC, 31 daily points", grpc_ms["series"]))
    print(row("in-process GetCompliance from rollups (baseline)", local_ms["compliance"]))
    print(row("in-process series from rollups", local_ms["series"]))
    print(row("in-process series by replaying the window's streams", local_ms["replay"]))
    print(row("in-process oracle (a full replay per point)", local_ms["oracle"]))
    p50 = {name: percentile(t, 0.5) for name, t in grpc_ms.items()}
    local = {name: percentile(t, 0.5) for name, t in local_ms.items()}
    print(f"{'series / GetCompliance p50 over gRPC':<58}{p50['series'] / p50['compliance']:>10.2f}")
    print()
    goal(
        "GetComplianceSeries p50 under 50 ms, a 31-day month of one-minute readings (gRPC)",
        f"{p50['series']:.1f} ms (GetCompliance {p50['compliance']:.1f} ms)",
        p50["series"] < 50,
    )
    goal(
        "GetComplianceSeries p50 under 50 ms, in-process",
        f"{local['series']:.1f} ms (GetCompliance {local['compliance']:.1f} ms)",
        local["series"] < 50,
    )
    if options.quick:
        quick_notice()
    return 0


if __name__ == "__main__":
    sys.exit(main())
