"""By default a server keeps its read models current in a child process that lives and dies
with it, and is started again if it stops."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc

DEADLINE_SECONDS = 20.0
DEFAULTS = ("--close-periods", "off")  # no --projections: the default


def _children(pid: int) -> list[int]:
    """The process ids of pid's children, whichever of its threads started them (Linux)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return found


def _command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_text().split("\0")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait_until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not (found := condition()):
        assert time.monotonic() < deadline, f"not within {DEADLINE_SECONDS} s: {what}"
        time.sleep(0.1)
    return found


def _projection_child(server: Any) -> int:
    [child] = _wait_until(lambda: _children(server.process.pid), "a child process")
    return int(child)


def test_the_read_models_run_in_a_child_project_process_of_the_server(
    sqlite_database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(sqlite_database_url, extra_args=DEFAULTS)

    command = _command_line(_projection_child(server))

    assert command[2:4] == ["service.cli", "project"]
    assert command[command.index("--parent-pid") + 1] == str(server.process.pid)


def test_the_read_models_catch_up_through_the_child_process(
    sqlite_database_url: str,
    start_server: Callable[..., Any],
    sign_request: Callable[..., Any],
    minute_readings: Callable[..., Any],
) -> None:
    server = start_server(sqlite_database_url, extra_args=DEFAULTS)
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    stub.SignAgreement(sign_request("sla-1"), timeout=30)
    recorded = stub.RecordMeasurements(minute_readings("sla-1", 1_000), timeout=30)

    caught_up = ledger_service_pb2.ListBreachesRequest(min_log_position=recorded.log_position)
    stub.ListBreaches(caught_up, timeout=DEADLINE_SECONDS)  # DEADLINE_EXCEEDED if it never does


def test_a_server_stopping_stops_its_child_process_before_it_exits(
    sqlite_database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(sqlite_database_url, extra_args=DEFAULTS)
    child = _projection_child(server)

    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=DEADLINE_SECONDS)

    assert not _alive(child)
    server.stop()  # exit code 0


def test_the_child_process_exits_when_the_server_is_killed(
    sqlite_database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(sqlite_database_url, extra_args=DEFAULTS)
    child = _projection_child(server)

    server.kill()

    _wait_until(lambda: not _alive(child), "the child gone after the server's SIGKILL")


def test_a_child_process_that_dies_is_started_again(
    sqlite_database_url: str, start_server: Callable[..., Any]
) -> None:
    server = start_server(sqlite_database_url, extra_args=DEFAULTS)
    child = _projection_child(server)

    os.kill(child, signal.SIGKILL)

    replacement = _wait_until(
        lambda: [c for c in _children(server.process.pid) if c != child and _alive(c)],
        "a new child",
    )
    assert _command_line(replacement[0])[2:4] == ["service.cli", "project"]
    assert server.wait_for_log("projection process stopped; restarting it", DEADLINE_SECONDS)
