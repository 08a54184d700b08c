"""Fixtures for the API tests: real `sla-ledger serve` processes, clients and request builders.

Test modules cannot import from here (there are no packages under tests/), so every helper is a
fixture; tests annotate them with ``Callable`` types and the server handle as ``Any``. The request
builders are tests/proto_builders.py's; the fixtures here bind them to this suite's dates.

Every process a test starts is registered with a fixture and killed in its finalizer if the test
left it running. Waiting is always bounded: log lines are awaited on a condition with a deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, ledger_service_pb2_grpc
from tests import proto_builders as build
from tests.api.server_process import CommandResult, ServerProcess

LISTEN_DEADLINE_SECONDS = 30.0
COMMAND_DEADLINE_SECONDS = 60.0
RPC_TIMEOUT_SECONDS = 10

TERM_START = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2024, 12, 15, tzinfo=UTC)
AMENDED_FROM = datetime(2025, 3, 1, tzinfo=UTC)
TERMINATED_AT = datetime(2025, 6, 1, tzinfo=UTC)
FIRST_READING_AT = datetime(2025, 2, 1, tzinfo=UTC)
READINGS_PER_BATCH = 10_000


# Without a closer, and with the read models in a thread of the server rather than its default
# child process: a second interpreter a server would cost each test about a second of CPU. The
# tests of the child process (test_projection_process.py, test_crash.py) pass their own flags.
SERVER_DEFAULTS = ("--close-periods", "off", "--projections", "on")


@pytest.fixture
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Start `python -m service.cli serve` on port 0 and a database URL; wait until it listens.

    Returns a ServerProcess with .port, .channel (over TLS to localhost when credentials are
    given), .stop() (SIGTERM, asserting exit code 0),
    .log_entries() and .stderr. Servers still running at teardown are killed. Without
    extra_args a server runs SERVER_DEFAULTS. The keyword
    python_args replaces ("-m", "service.cli"), e.g. with ("-c", SCRIPT) for a harness that
    calls service.cli.main(sys.argv[1:]).
    """
    started: list[ServerProcess] = []

    def start(
        database_url: str,
        python_args: Sequence[str] = ("-m", "service.cli"),
        extra_args: Sequence[str] = SERVER_DEFAULTS,
        listen: str = "127.0.0.1:0",
        credentials: grpc.ChannelCredentials | None = None,
    ) -> ServerProcess:
        process = subprocess.Popen(
            [
                sys.executable,
                *python_args,
                "serve",
                "--listen",
                listen,
                "--database-url",
                database_url,
                "--log-level",
                "INFO",
                *extra_args,
            ],
            cwd=tmp_path_factory.mktemp("server"),
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        server = ServerProcess(process)
        started.append(server)
        listening = server.wait_for_log("listening", LISTEN_DEADLINE_SECONDS)
        server.port = int(listening["port"])
        server.channel = (
            grpc.insecure_channel(f"127.0.0.1:{server.port}")
            if credentials is None
            else grpc.secure_channel(f"localhost:{server.port}", credentials)
        )
        # A connected channel, so tests start against a server that answers.
        grpc.channel_ready_future(server.channel).result(timeout=RPC_TIMEOUT_SECONDS)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def run_command(tmp_path: Path) -> Iterator[Callable[[Sequence[str]], CommandResult]]:
    """Run a command in a temporary directory to its end (bounded); fail the test on a hang."""
    running: list[subprocess.Popen[str]] = []

    def run(command: Sequence[str]) -> CommandResult:
        process = subprocess.Popen(
            list(command),
            cwd=tmp_path,
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        running.append(process)
        try:
            stdout, stderr = process.communicate(timeout=COMMAND_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            pytest.fail(
                f"{command[0]} did not finish within {COMMAND_DEADLINE_SECONDS} s; "
                f"stdout:\n{stdout}\nstderr:\n{stderr}"
            )
        return CommandResult(process.returncode, stdout, stderr)

    yield run
    for process in running:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def server(database_url: str, start_server: Callable[..., Any]) -> Any:
    """A server on each backend in turn, stopped before its database is dropped."""
    return start_server(database_url)


@pytest.fixture
def stub(server: Any) -> ledger_service_pb2_grpc.LedgerServiceStub:
    """A LedgerService client of the server."""
    return ledger_service_pb2_grpc.LedgerServiceStub(server.channel)


def _sign_request(
    agreement_id: str, **term_overrides: Any
) -> ledger_service_pb2.SignAgreementRequest:
    return build.sign_request(agreement_id, TERM_START, SIGNED_AT, **term_overrides)


def _amend_request(
    agreement_id: str, expected_version: int | None = None
) -> ledger_service_pb2.AmendAgreementRequest:
    return build.amend_request(
        agreement_id, TERM_START, AMENDED_FROM, expected_version=expected_version
    )


def _terminate_request(
    agreement_id: str, expected_version: int | None = None
) -> ledger_service_pb2.TerminateAgreementRequest:
    return build.terminate_request(agreement_id, TERMINATED_AT, expected_version=expected_version)


def _minute_readings(
    agreement_id: str, count: int = READINGS_PER_BATCH
) -> ledger_service_pb2.RecordMeasurementsRequest:
    return build.minute_readings(agreement_id, FIRST_READING_AT, count)


def _list_all_events(
    stub: ledger_service_pb2_grpc.LedgerServiceStub, agreement_id: str = "", page_size: int = 3
) -> list[events_pb2.LedgerEvent]:
    return build.list_all_events(
        lambda request: stub.ListEvents(request, timeout=RPC_TIMEOUT_SECONDS),
        agreement_id,
        page_size=page_size,
    )


def _refusal(call: Callable[[], Any]) -> Any:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    return refused.value.code()


def _write_the_flow(stub: ledger_service_pb2_grpc.LedgerServiceStub, agreement_id: str) -> None:
    timeout = RPC_TIMEOUT_SECONDS
    stub.SignAgreement(_sign_request(agreement_id), timeout=timeout)
    stub.AmendAgreement(_amend_request(agreement_id, expected_version=1), timeout=timeout)
    stale = _amend_request(agreement_id, expected_version=1)
    assert _refusal(lambda: stub.AmendAgreement(stale, timeout=timeout)) is grpc.StatusCode.ABORTED
    stub.TerminateAgreement(_terminate_request(agreement_id), timeout=timeout)
    again = _terminate_request(agreement_id)
    assert (
        _refusal(lambda: stub.TerminateAgreement(again, timeout=timeout))
        is grpc.StatusCode.FAILED_PRECONDITION
    )
    readings = _minute_readings(agreement_id)
    first = stub.RecordMeasurements(readings, timeout=timeout)
    assert (first.recorded_count, first.duplicate_count) == (READINGS_PER_BATCH, 0)
    second = stub.RecordMeasurements(readings, timeout=timeout)
    assert (second.recorded_count, second.duplicate_count) == (0, READINGS_PER_BATCH)


@pytest.fixture
def sign_request() -> Callable[..., ledger_service_pb2.SignAgreementRequest]:
    """A valid SignAgreementRequest: signed 2024-12-15, EUR 1000.00 monthly, objective
    'availability'; keywords replace fields of the terms."""
    return _sign_request


@pytest.fixture
def amend_request() -> Callable[..., ledger_service_pb2.AmendAgreementRequest]:
    """An AmendAgreementRequest raising the fee to 1500.00 from 2025-03-01."""
    return _amend_request


@pytest.fixture
def terminate_request() -> Callable[..., ledger_service_pb2.TerminateAgreementRequest]:
    """A TerminateAgreementRequest effective 2025-06-01."""
    return _terminate_request


@pytest.fixture
def minute_readings() -> Callable[..., ledger_service_pb2.RecordMeasurementsRequest]:
    """10,000 counts readings of 'availability', one per minute from 2025-02-01, no ids."""
    return _minute_readings


@pytest.fixture
def list_all_events() -> Callable[..., list[events_pb2.LedgerEvent]]:
    """Every event of an agreement ('' for all), following page tokens (3 per page)."""
    return _list_all_events


@pytest.fixture
def refusal() -> Callable[[Callable[[], Any]], Any]:
    """The status code of a call that must fail with grpc.RpcError."""
    return _refusal


@pytest.fixture
def write_the_flow() -> Callable[[ledger_service_pb2_grpc.LedgerServiceStub, str], None]:
    """The issue's writes on one agreement, each outcome checked: sign; amend (version 1);
    a stale amend (ABORTED); terminate; a second terminate (FAILED_PRECONDITION); 10,000
    readings in one call; the same 10,000 again (all duplicates)."""
    return _write_the_flow


@pytest.fixture
def buf() -> Path:
    """The buf binary next to the interpreter; skipped if missing, except under CI=true."""
    path = Path(sys.executable).parent / "buf"
    if not path.is_file():
        reason = f"buf is not installed at {path} (pip install buf-bin)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; it is required under CI=true")
        pytest.skip(reason)
    return path


@pytest.fixture
def sign_json() -> Callable[[str], str]:
    """The JSON (proto3 JSON mapping) of a valid SignAgreementRequest for buf curl."""

    def render(agreement_id: str) -> str:
        return json.dumps(
            {
                "agreementId": agreement_id,
                "signedAt": "2024-12-15T00:00:00Z",
                "terms": {
                    "provider": {"partyId": "acme-cloud", "displayName": "ACME Cloud"},
                    "customer": {"partyId": "globex", "displayName": "Globex Corporation"},
                    "kind": "AGREEMENT_KIND_CUSTOMER_BASED",
                    "services": ["compute"],
                    "timeZone": "Europe/Berlin",
                    "fee": {
                        "amount": {"currencyCode": "EUR", "amount": "1000.00"},
                        "period": "PERIOD_UNIT_MONTH",
                    },
                    "termStart": "2025-01-01T00:00:00Z",
                    "objectives": [
                        {
                            "objectiveId": "availability",
                            "metric": "availability",
                            "targetPercent": "99.9",
                            "period": "PERIOD_UNIT_MONTH",
                        }
                    ],
                },
            }
        )

    return render
