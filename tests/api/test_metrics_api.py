"""`sla-ledger serve --metrics-listen`: a real server's /metrics, scraped over HTTP after calls.

One server for the module (SQLite, read models off so that their lag stays put, case warnings
every 0.2 s); every test reads counters as differences between two scrapes, so the tests do not
depend on each other's calls.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from service.generated.sla.ledger.v1 import cases_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests import proto_builders as build
from tests.api.server_process import ServerProcess

TERM_START = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2024, 12, 15, tzinfo=UTC)
FIRST_READING_AT = datetime(2025, 2, 1, tzinfo=UTC)
SERVICE = "sla.ledger.v1.LedgerService"
DEADLINE_SECONDS = 30.0
TIMEOUT = 10
CLI = (sys.executable, "-m", "service.cli")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations"
METRIC_NAME = re.compile(r"\b(?:grpc_server|sla_ledger)_[a-z_]+\b")
# The labels of a sample, as (name, value) pairs in name order.
Labels = tuple[tuple[str, str], ...]
Scrape = dict[tuple[str, Labels], float]


class Served:
    """The module's server: its gRPC stub, its metrics port and its process."""

    def __init__(self, server: ServerProcess, stub: pb_grpc.LedgerServiceStub, metrics_port: int):
        self.server = server
        self.stub = stub
        self.metrics_port = metrics_port

    def scrape(self) -> Scrape:
        """Every sample of /metrics now."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as reply:
            text = reply.read().decode()
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def wait_for(self, holds: Callable[[Scrape], bool]) -> Scrape:
        """The first scrape for which holds is true, within the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            scrape = self.scrape()
            if holds(scrape):
                return scrape
            if time.monotonic() > deadline:
                pytest.fail(f"no scrape within {DEADLINE_SECONDS} s satisfied the condition")
            time.sleep(0.05)


def value(scrape: Scrape, name: str, **labels: str) -> float:
    """A sample's value, 0 when the scrape has none."""
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def call_labels(method: str, kind: str = "unary") -> dict[str, str]:
    return {"grpc_type": kind, "grpc_service": SERVICE, "grpc_method": method}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("metrics")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--database-url",
            f"sqlite:///{workdir / 'ledger.db'}",
            "--projections",
            "off",
            "--close-periods",
            "off",
            "--case-warning-interval",
            "0.2",
        ],
        cwd=workdir,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    server = ServerProcess(process)
    try:
        metrics_port = int(server.wait_for_log("metrics listening", DEADLINE_SECONDS)["port"])
        server.port = int(server.wait_for_log("listening", DEADLINE_SECONDS)["port"])
        server.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
        grpc.channel_ready_future(server.channel).result(timeout=TIMEOUT)
        yield Served(server, pb_grpc.LedgerServiceStub(server.channel), metrics_port)
        server.stop()
    finally:
        server.kill()


def _signed(stub: pb_grpc.LedgerServiceStub) -> str:
    agreement_id = f"acme-{uuid.uuid4().hex[:8]}"
    stub.SignAgreement(build.sign_request(agreement_id, TERM_START, SIGNED_AT), timeout=TIMEOUT)
    return agreement_id


def _head(stub: pb_grpc.LedgerServiceStub) -> int:
    return int(
        stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest.log_position
    )


def test_a_scrape_counts_calls_by_method_and_status(served: Served) -> None:
    before = served.scrape()
    for _ in range(2):
        with pytest.raises(grpc.RpcError):
            served.stub.GetAgreement(pb.GetAgreementRequest(agreement_id="nobody-1"), timeout=5)
    served.stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)
    after = served.scrape()

    def moved(name: str, method: str, **labels: str) -> float:
        both = {**call_labels(method), **labels}
        return value(after, name, **both) - value(before, name, **both)

    assert moved("grpc_server_started_total", "GetAgreement") == 2
    assert moved("grpc_server_handled_total", "GetAgreement", grpc_code="NOT_FOUND") == 2
    assert moved("grpc_server_handled_total", "GetAgreement", grpc_code="OK") == 0
    assert moved("grpc_server_handled_total", "GetLedgerDigest", grpc_code="OK") == 1
    assert moved("grpc_server_handling_seconds_count", "GetAgreement") == 2
    assert moved("grpc_server_msg_received_total", "GetAgreement") == 2
    assert moved("grpc_server_msg_sent_total", "GetAgreement") == 0
    assert moved("grpc_server_msg_sent_total", "GetLedgerDigest") == 1


def test_bytes_in_and_out_are_the_serialized_sizes_of_the_messages(served: Served) -> None:
    request = pb.GetAgreementRequest(agreement_id=_signed(served.stub))
    before = served.scrape()
    reply = served.stub.GetAgreement(request, timeout=TIMEOUT)
    after = served.scrape()

    def moved(name: str) -> float:
        return value(after, name, grpc_method="GetAgreement") - value(
            before, name, grpc_method="GetAgreement"
        )

    assert moved("sla_ledger_rpc_received_bytes_total") == request.ByteSize()
    assert moved("sla_ledger_rpc_sent_bytes_total") == reply.ByteSize()


def test_an_ingest_counts_its_new_readings_and_every_event_appended(served: Served) -> None:
    before_head = _head(served.stub)
    before = served.scrape()
    agreement_id = _signed(served.stub)
    served.stub.RecordMeasurements(
        build.minute_readings(agreement_id, FIRST_READING_AT, 30), timeout=TIMEOUT
    )
    after = served.scrape()

    ingested = value(after, "sla_ledger_readings_ingested_total") - value(
        before, "sla_ledger_readings_ingested_total"
    )
    appended = value(after, "sla_ledger_events_appended_total") - value(
        before, "sla_ledger_events_appended_total"
    )
    assert ingested == 30
    assert appended == _head(served.stub) - before_head


def test_a_retried_ingest_counts_its_readings_once(served: Served) -> None:
    request = build.minute_readings(_signed(served.stub), FIRST_READING_AT, 12)
    request.request_id = str(uuid.uuid4())
    before = served.scrape()
    for _ in range(2):
        served.stub.RecordMeasurements(request, timeout=TIMEOUT)
    after = served.scrape()

    name = "sla_ledger_readings_ingested_total"
    assert value(after, name) - value(before, name) == 12


def test_case_milestones_recorded_are_counted(served: Served) -> None:
    agreement_id = _signed(served.stub)
    milestone = cases_pb2.CaseMilestone(
        case_id="case-1",
        kind=cases_pb2.MILESTONE_KIND_OPENED,
        occurred_at=build.timestamp(FIRST_READING_AT),
    )
    before = served.scrape()
    served.stub.RecordCaseEvents(
        pb.RecordCaseEventsRequest(agreement_id=agreement_id, milestones=[milestone]),
        timeout=TIMEOUT,
    )
    after = served.scrape()

    name = "sla_ledger_case_milestones_ingested_total"
    assert value(after, name) - value(before, name) == 1


def test_an_open_subscription_is_counted_until_the_caller_cancels_it(served: Served) -> None:
    _signed(served.stub)
    stream = served.stub.SubscribeEvents(pb.SubscribeEventsRequest(after_position=0))
    next(stream)
    labels = call_labels("SubscribeEvents", "server_stream")
    cancelled = {**labels, "grpc_code": "CANCELLED"}
    before = served.scrape()

    stream.cancel()
    after = served.wait_for(lambda s: value(s, "sla_ledger_open_streams") == 0)

    assert value(before, "sla_ledger_open_streams") == 1
    handled = served.wait_for(
        lambda s: (
            value(s, "grpc_server_handled_total", **cancelled)
            > value(before, "grpc_server_handled_total", **cancelled)
        )
    )
    assert value(handled, "grpc_server_handled_total", **cancelled) == (
        value(before, "grpc_server_handled_total", **cancelled) + 1
    )
    assert value(after, "grpc_server_msg_sent_total", **labels) >= 1


def test_projection_lag_is_the_positions_and_age_of_what_no_read_model_applied(
    served: Served,
) -> None:
    _signed(served.stub)
    head = _head(served.stub)

    scrape = served.scrape()

    lags = {
        dict(labels)["read_model"]: sample
        for (name, labels), sample in scrape.items()
        if name == "sla_ledger_projection_lag_positions"
    }
    assert "reading_rollups" in lags
    assert set(lags.values()) == {head}  # the read models are off: none applied anything
    assert value(scrape, "sla_ledger_projection_lag_seconds", read_model="reading_rollups") > 0


def test_background_rounds_are_counted_by_worker(served: Served) -> None:
    before = served.scrape()

    served.wait_for(
        lambda s: (
            value(s, "sla_ledger_background_rounds_total", worker="case-warner")
            > value(before, "sla_ledger_background_rounds_total", worker="case-warner")
        )
    )


def _queries(node: Any, key: str) -> Iterator[str]:
    """Every string under key in a tree of dicts and lists."""
    if isinstance(node, dict):
        for name, child in node.items():
            if name == key and isinstance(child, str):
                yield child
            else:
                yield from _queries(child, key)
    elif isinstance(node, list):
        for child in node:
            yield from _queries(child, key)


def test_every_metric_the_dashboard_and_the_slos_query_is_served(served: Served) -> None:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    slos = list(yaml.safe_load_all((DOCS / "slos.yaml").read_text()))
    queries = [*_queries(dashboard, "expr"), *_queries(slos, "query")]
    queried = {name for query in queries for name in METRIC_NAME.findall(query)}

    served_names = {name for name, _labels in served.scrape()}

    assert len(queried) >= 10
    assert sorted(queried - served_names) == []


def test_the_server_opens_the_metrics_port_beside_its_grpc_port(served: Served) -> None:
    assert _listening_ports(served.server.process.pid) == {
        served.server.port,
        served.metrics_port,
    }


def test_metrics_are_off_by_default(start_server: Callable[..., Any], tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    server = start_server(database_url, extra_args=("--projections", "off"))

    assert _listening_ports(server.process.pid) == {server.port}
    assert not [e for e in server.log_entries() if e.get("message") == "metrics listening"]


def _listening_ports(pid: int) -> set[int]:
    """The TCP ports a process listens on (Linux: its socket inodes in /proc/net/tcp{,6})."""
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc")
    fds = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in fds.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_a_bad_metrics_address_is_refused_in_one_line_before_serving(
    run_command: Callable[[Sequence[str]], Any], tmp_path: Path
) -> None:
    done = run_command(
        [
            *CLI,
            "serve",
            "--database-url",
            f"sqlite:///{tmp_path / 'l.db'}",
            "--metrics-listen",
            "9464",
        ]
    )

    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "sla-ledger: --metrics-listen: '9464' is not a valid metrics address "
        "(HOST:PORT or [IPV6]:PORT; port 0 picks one)"
    ]


def test_a_metrics_port_taken_stops_the_server_saying_so(
    run_command: Callable[[Sequence[str]], Any], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_command(
            [
                *CLI,
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                f"sqlite:///{tmp_path / 'l.db'}",
                "--metrics-listen",
                f"127.0.0.1:{port}",
            ]
        )

    assert done.returncode != 0
    assert f"sla-ledger: cannot serve metrics on 127.0.0.1:{port}: " in done.stderr
    assert "Traceback" not in done.stderr
