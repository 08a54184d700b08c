"""Two server processes on one PostgreSQL database, many concurrent writers and closers: no
event lost, none duplicated, conflicts reported as ABORTED."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 60
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
AGREEMENTS = [f"sla-{n}" for n in range(4)]
CONCURRENT_CALLS = 24  # within what two servers accept at once (4 x 16 workers each)
POLICY = terms_pb2.CreditPolicy(
    bands=terms_pb2.BandsRule(
        bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
    )
)


def _batch(agreement_id: str, day: int) -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id=agreement_id)
    for hour in range(24):
        reading = request.measurements.add(objective_id="availability")
        reading.measurement_id = f"d{day}-h{hour}"
        reading.observed_at.FromDatetime(JANUARY + timedelta(days=day, hours=hour))
        reading.counts.good, reading.counts.total = (900 if hour == 3 else 1000), 1000
    return request


@pytest.mark.postgres
def test_two_servers_with_concurrent_writers_and_closers_lose_and_duplicate_nothing(
    postgres_database_url: str, start_server: Callable[..., Any]
) -> None:
    servers = [Stub(start_server(postgres_database_url).channel) for _ in range(2)]
    for agreement_id in AGREEMENTS:
        request = build.sign_request(
            agreement_id, JANUARY, JANUARY, time_zone="UTC", credit_policy=POLICY
        )
        servers[0].SignAgreement(request, timeout=TIMEOUT)
    rng = random.Random(7)
    calls: list[tuple[str, Callable[[], Any]]] = []
    for agreement_id in AGREEMENTS:
        # Every day twice, once through each server: one records it, the other counts duplicates.
        for day in range(45):
            for stub in servers:
                batch = _batch(agreement_id, day)
                calls.append(("measure", partial(stub.RecordMeasurements, batch, timeout=TIMEOUT)))
        for _ in range(6):  # amendments that all expect version 1: at most one per agreement wins
            stub = rng.choice(servers)
            amend = build.amend_request(
                agreement_id, JANUARY, JANUARY + timedelta(days=60), expected_version=1
            )
            calls.append(("amend", partial(stub.AmendAgreement, amend, timeout=TIMEOUT)))
        for _ in range(4):  # closers on both servers
            stub = rng.choice(servers)
            close = pb.ClosePeriodRequest(agreement_id=agreement_id)
            close.until.FromDatetime(JANUARY + timedelta(days=40))
            calls.append(("close", partial(stub.ClosePeriod, close, timeout=TIMEOUT)))
    rng.shuffle(calls)

    with ThreadPoolExecutor(max_workers=CONCURRENT_CALLS) as pool:
        outcomes = list(pool.map(_outcome, *zip(*calls, strict=True)))

    codes = Counter((kind, code) for kind, code, _ in outcomes)
    assert {code for _, code in codes} <= {grpc.StatusCode.OK, grpc.StatusCode.ABORTED}
    assert (
        codes[("measure", grpc.StatusCode.ABORTED)]
        == codes[("close", grpc.StatusCode.ABORTED)]
        == 0
    )
    events = build.list_all_events(
        lambda request: servers[1].ListEvents(request, timeout=TIMEOUT), "", page_size=1000
    )
    positions = [e.position for e in events]
    assert positions == sorted(set(positions))
    versions: dict[str, list[int]] = {}
    for event in events:
        versions.setdefault(event.stream_id, []).append(event.stream_version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    readings = Counter(
        (e.agreement_id, m.measurement_id)
        for e in events
        if e.HasField("metric_measured")
        for m in e.metric_measured.measurements
    )
    assert len(readings) == len(AGREEMENTS) * 45 * 24 and set(readings.values()) == {1}
    recorded = sum(
        reply.recorded_count for kind, code, reply in outcomes if kind == "measure" and reply
    )
    assert recorded == len(readings)
    amended = [e for e in events if e.HasField("agreement_amended")]
    assert len(amended) == codes[("amend", grpc.StatusCode.OK)] == len(AGREEMENTS)
    closes = Counter(
        (e.agreement_id, e.period_closed.period_label)
        for e in events
        if e.HasField("period_closed")
    )
    credits = Counter(
        (e.agreement_id, e.credit_issued.period_label)
        for e in events
        if e.HasField("credit_issued")
    )
    assert set(closes.values()) == {1} and set(credits.values()) <= {1}
    assert servers[0].VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT).ok


def _outcome(kind: str, call: Callable[[], Any]) -> tuple[str, grpc.StatusCode, Any]:
    try:
        return kind, grpc.StatusCode.OK, call()
    except grpc.RpcError as error:
        return kind, error.code(), None
