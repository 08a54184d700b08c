"""A server killed (SIGKILL) in the middle of ingest loses nothing it acknowledged and leaves no
batch in part; after a restart the read models agree with the log."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc

from projections.runner import checksum
from service.bootstrap import open_application, open_read_models
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
BATCH = 2_000
START = datetime(2026, 1, 1, tzinfo=UTC)
TIMEOUT = 30


def _batch(number: int) -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    first = START + timedelta(minutes=number * BATCH)
    for i in range(BATCH):
        reading = request.measurements.add(objective_id="availability")
        reading.measurement_id = f"b{number}-{i}"
        reading.observed_at.FromDatetime(first + timedelta(minutes=i))
        reading.counts.good = 59 + i % 2
        reading.counts.total = 60
    return request


class Sender:
    """Sends batch after batch from a thread, remembering which were acknowledged."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub
        self.acknowledged: list[int] = []
        self.sent = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        number = 0
        while True:
            request = _batch(number)
            self.sent = number + 1
            try:
                reply = self.stub.RecordMeasurements(request, timeout=TIMEOUT)
            except (grpc.RpcError, ValueError):  # ValueError: the channel was closed
                return  # the server died with this batch in flight
            assert reply.recorded_count == BATCH
            self.acknowledged.append(number)
            number += 1

    def join(self) -> None:
        self._thread.join(timeout=TIMEOUT)


def _recorded_per_batch(stub: Stub) -> Counter[str]:
    events = build.list_all_events(
        lambda request: stub.ListEvents(request, timeout=TIMEOUT), "sla-1", page_size=1000
    )
    return Counter(
        m.measurement_id.split("-")[0]
        for e in events
        if e.HasField("metric_measured")
        for m in e.metric_measured.measurements
    )


def _killed_during_ingest(start_server: Callable[..., Any], database_url: str) -> Sender:
    """A server that acknowledged five batches and was killed (SIGKILL) in the next one."""
    first = start_server(database_url, extra_args=("--close-periods", "off"))
    stub = Stub(first.channel)
    stub.SignAgreement(build.sign_request("sla-1", START, START), timeout=TIMEOUT)
    sender = Sender(stub)
    while len(sender.acknowledged) < 5:
        time.sleep(0.01)
    time.sleep(0.05)  # most likely in the middle of the next batch
    first.kill()
    sender.join()
    return sender


def test_after_a_kill_during_ingest_acknowledged_batches_are_whole_and_none_is_partial(
    database_url: str, start_server: Callable[..., Any]
) -> None:
    sender = _killed_during_ingest(start_server, database_url)

    second = start_server(database_url, extra_args=("--close-periods", "off"))
    restarted = Stub(second.channel)
    counts = _recorded_per_batch(restarted)

    assert all(counts[f"b{n}"] == BATCH for n in sender.acknowledged)
    assert set(counts.values()) == {BATCH}  # no batch in part, acknowledged or not
    assert len(counts) in (len(sender.acknowledged), len(sender.acknowledged) + 1)
    resent = restarted.RecordMeasurements(_batch(sender.sent - 1), timeout=TIMEOUT)
    assert BATCH in (resent.recorded_count, resent.duplicate_count)


def test_after_a_kill_the_read_models_catch_up_to_what_a_rebuild_gives(
    database_url: str, start_server: Callable[..., Any]
) -> None:
    _killed_during_ingest(start_server, database_url)
    second = start_server(database_url, extra_args=("--close-periods", "off"))
    head = Stub(second.channel).GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)
    Stub(second.channel).ListBreaches(
        pb.ListBreachesRequest(min_log_position=head.digest.log_position), timeout=TIMEOUT
    )
    second.stop()

    app = open_application(database_url)
    models = open_read_models(app, database_url)
    try:
        live = checksum(models.engine)
        models.rebuild()
        assert checksum(models.engine) == live
        assert app.audit.verify_ledger().ok
    finally:
        models.stop()
        app.close()
