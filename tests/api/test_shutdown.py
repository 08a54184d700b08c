"""A server stops cleanly on SIGTERM, and refuses to start on a port that is taken."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest


def test_sigterm_while_idle_exits_with_code_0(server: Any) -> None:
    server.stop()  # sends SIGTERM, waits (bounded) and asserts exit code 0

    assert server.process.returncode == 0


def test_sigterm_while_idle_logs_stopped_as_the_last_line(server: Any) -> None:
    server.stop()

    messages = [entry["message"] for entry in server.log_entries()]
    assert messages[-2:] == ["shutting down", "stopped"]


def test_sigterm_is_named_in_the_shutting_down_line(server: Any) -> None:
    server.stop()

    [shutting_down] = [e for e in server.log_entries() if e["message"] == "shutting down"]
    assert shutting_down["signal"] == "SIGTERM"


def _serve_on(port: int, database_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--listen",
        f"127.0.0.1:{port}",
        "--database-url",
        database_url,
    ]


def test_a_second_server_on_a_port_in_use_exits_non_zero(
    server: Any, database_url: str, run_command: Callable[[Sequence[str]], Any]
) -> None:
    result = run_command(_serve_on(server.port, database_url))

    assert result.returncode != 0, result.stderr


def test_a_second_server_on_a_port_in_use_says_it_cannot_listen(
    server: Any, database_url: str, run_command: Callable[[Sequence[str]], Any]
) -> None:
    result = run_command(_serve_on(server.port, database_url))

    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr


# Runs `sla-ledger` with SIGTERM delivered while storage is still being opened, before the
# server listens: the signal must wait until the server is up and then stop it cleanly.
SIGTERM_DURING_START_UP = """
import os, signal, sys
from service import cli
from service.cli import running

open_application = running.open_application

def open_then_sigterm(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return open_application(*args, **kwargs)

running.open_application = open_then_sigterm
sys.exit(cli.main(sys.argv[1:]))
"""

# Runs `sla-ledger` with SIGTERM delivered right after start_server returned, that is after the
# "listening" line was logged and health says SERVING, as a supervisor may do.
SIGTERM_RIGHT_AFTER_LISTENING = """
import os, signal, sys
from service import cli
from service.api import server

start_server = server.start_server

def start_then_sigterm(*args, **kwargs):
    running = start_server(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
    return running

server.start_server = start_then_sigterm  # serve imports it when it runs
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    "program",
    [SIGTERM_DURING_START_UP, SIGTERM_RIGHT_AFTER_LISTENING],
    ids=["start-up", "listening"],
)
def test_a_sigterm_around_start_up_still_stops_the_server_cleanly(
    program: str, sqlite_database_url: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            program,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            sqlite_database_url,
            "--log-level",
            "INFO",
        ],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    messages = [json.loads(line)["message"] for line in result.stderr.splitlines()]
    assert (result.returncode, messages[-2:]) == (0, ["shutting down", "stopped"]), result.stderr
