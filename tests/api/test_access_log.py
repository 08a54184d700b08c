"""The access log of a real server with tokens and console tracing: who called, with which
request id, how many bytes each way, and the trace id of the spans it printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import discovery_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests.api.server_process import CommandResult, ServerProcess
from tests.api.token_server import START, TIMEOUT, Stub, auth, code, write_tokens

SPANS_DEADLINE_SECONDS = 10.0
TRACED_ENV = {"OTEL_TRACES_EXPORTER": "console", "OTEL_BSP_SCHEDULE_DELAY": "50"}


class TracedServer(ServerProcess):
    """A server whose standard output (the console exporter's spans) goes to a file."""

    stdout_path: Path

    def spans(self) -> list[dict[str, Any]]:
        """The spans printed so far, one JSON object a line."""
        lines = self.stdout_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TracedServer]:
    folder = tmp_path_factory.mktemp("access")
    tokens = write_tokens(folder / "tokens.json")
    stdout_path = folder / "stdout.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | TRACED_ENV
    with stdout_path.open("w") as stdout:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "service.cli", "serve", "--listen", "127.0.0.1:0"),
                *("--database-url", f"sqlite:///{folder / 'ledger.sqlite3'}"),
                *("--close-periods", "off", "--tokens", str(tokens)),
            ],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
    traced = TracedServer(process)
    traced.stdout_path = stdout_path
    try:
        traced.port = int(traced.wait_for_log("listening", 30)["port"])
        traced.channel = grpc.insecure_channel(f"127.0.0.1:{traced.port}")
        yield traced
        traced.stop()
    finally:
        traced.kill()


def _logged(server: TracedServer, method: str, count: int = 1) -> list[dict[str, Any]]:
    """The access lines of method once there are count of them (bounded wait: a line is
    written as the call ends, just after the reply)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        lines = [
            entry
            for entry in server.log_entries()
            if entry.get("message") == "call" and entry.get("method", "").endswith(f"/{method}")
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_the_principal_is_the_token_name_and_empty_without_a_token(server: TracedServer) -> None:
    stub = Stub(server.channel)
    stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=auth("auditor"))
    refused = code(lambda: stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT))

    first, second = _logged(server, "GetLedgerDigest", 2)[:2]
    assert refused is grpc.StatusCode.UNAUTHENTICATED
    assert (first["principal"], first["status"]) == ("auditor", "OK")
    assert (second["principal"], second["status"]) == ("", "UNAUTHENTICATED")


def test_a_refused_role_is_logged_with_its_principal(server: TracedServer) -> None:
    request = build.sign_request("sla-denied", START, START)
    stub = Stub(server.channel)

    refused = code(lambda: stub.SignAgreement(request, timeout=TIMEOUT, metadata=auth("auditor")))

    (line,) = [e for e in _logged(server, "SignAgreement") if e["status"] != "OK"]
    assert refused is grpc.StatusCode.PERMISSION_DENIED
    assert line["principal"] == "auditor"


def test_the_request_id_comes_from_the_request_field_before_the_metadata(
    server: TracedServer,
) -> None:
    request = build.sign_request("sla-request-id", START, START)
    request.request_id = "field-id-1"
    metadata = (*auth("admin"), ("x-request-id", "metadata-id"))
    before = len(_logged(server, "SignAgreement", 0))

    Stub(server.channel).SignAgreement(request, timeout=TIMEOUT, metadata=metadata)

    lines = [e for e in _logged(server, "SignAgreement", before + 1) if e["status"] == "OK"]
    assert [e["request_id"] for e in lines] == ["field-id-1"]


@pytest.mark.parametrize(
    ("sent", "logged"),
    [("trace-me-42", "trace-me-42"), ("x" * 128, "x" * 128), ("x" * 129, "")],
)
def test_the_x_request_id_metadata_is_logged_up_to_128_characters(
    server: TracedServer, sent: str, logged: str
) -> None:
    before = len(_logged(server, "GetAgreement", 0))
    request = pb.GetAgreementRequest(agreement_id="sla-none")
    metadata = (*auth("admin"), ("x-request-id", sent))

    code(lambda: Stub(server.channel).GetAgreement(request, timeout=TIMEOUT, metadata=metadata))

    line = _logged(server, "GetAgreement", before + 1)[before]
    assert line["request_id"] == logged


def test_bytes_in_and_out_are_the_serialized_request_and_reply(server: TracedServer) -> None:
    request = build.sign_request("sla-sizes", START, START)
    request.request_id = "sizes-1"
    before = len(_logged(server, "SignAgreement", 0))

    reply = Stub(server.channel).SignAgreement(request, timeout=TIMEOUT, metadata=auth("admin"))

    logged = _logged(server, "SignAgreement", before + 1)
    (line,) = [e for e in logged if e["request_id"] == "sizes-1"]
    assert (line["bytes_in"], line["bytes_out"]) == (request.ByteSize(), reply.ByteSize())


def test_the_peer_is_the_callers_address(server: TracedServer) -> None:
    Stub(server.channel).GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=auth("admin")
    )

    assert re.fullmatch(r"ipv4:127\.0\.0\.1:\d+", _logged(server, "GetLedgerDigest")[-1]["peer"])


def test_console_tracing_prints_the_call_span_with_the_logged_trace_id(
    server: TracedServer,
) -> None:
    request = discovery_pb2.ListAgreementsRequest()
    Stub(server.channel).ListAgreements(request, timeout=TIMEOUT, metadata=auth("admin"))
    trace_id = _logged(server, "ListAgreements")[-1]["trace_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id)

    deadline = time.monotonic() + SPANS_DEADLINE_SECONDS
    while not (
        printed := [s for s in server.spans() if s["context"]["trace_id"] == f"0x{trace_id}"]
    ):
        assert time.monotonic() < deadline, f"no span of trace {trace_id} on stdout"
        time.sleep(0.05)
    assert [s["name"] for s in printed if s["kind"] == "SpanKind.SERVER"] == [
        "/sla.ledger.v1.LedgerService/ListAgreements"
    ]


def test_without_otel_variables_the_trace_id_is_empty(
    start_server: Callable[..., Any], sqlite_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in [k for k in os.environ if k.startswith("OTEL_")]:
        monkeypatch.delenv(variable)
    untraced = start_server(sqlite_database_url)

    Stub(untraced.channel).GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT)

    assert _logged(untraced, "GetLedgerDigest")[-1]["trace_id"] == ""


def test_an_unknown_traces_exporter_stops_serve_with_exit_1_like_every_bad_setting(
    run_command: Callable[..., CommandResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")

    result = run_command([sys.executable, "-m", "service.cli", "serve", "--listen", "127.0.0.1:0"])

    assert result.returncode == 1
    assert "OTEL_TRACES_EXPORTER: unknown exporter jaeger" in result.stderr
    assert "Traceback" not in result.stderr
