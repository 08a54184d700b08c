"""`sla-ledger portal`: a separate process served by waitress, a client of a running ledger."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.api.server_process import ServerProcess
from tests.portal.seed import GLOBEX, Seeded

LISTEN_DEADLINE_SECONDS = 30.0


@pytest.fixture
def portal_process(ledger_server: ServerProcess, seeded: Seeded) -> Iterator[ServerProcess]:
    """`sla-ledger portal` on a free port against the seeded ledger."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "portal",
            "--ledger",
            f"127.0.0.1:{ledger_server.port}",
            "--listen",
            "127.0.0.1:0",
        ],
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    portal = ServerProcess(process)
    try:
        portal.port = int(portal.wait_for_log("portal listening", LISTEN_DEADLINE_SECONDS)["port"])
        yield portal
    finally:
        portal.kill()


def fetch(url: str, token: str) -> tuple[int, str]:
    """GET a page with the token cookie: its status and body."""
    request = urllib.request.Request(url, headers={"Cookie": f"sla_ledger_token={token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_portal_command_serves_an_agreement_page(portal_process: ServerProcess) -> None:
    status, body = fetch(
        f"http://127.0.0.1:{portal_process.port}/agreements/{GLOBEX}", "admin-token"
    )
    assert status == 200
    assert 'data-testid="agreement-summary"' in body


def test_the_portal_command_stops_on_sigterm_with_exit_code_0(
    portal_process: ServerProcess,
) -> None:
    portal_process.stop()


def test_the_portal_command_refuses_plain_http_on_a_public_address() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "service.cli", "portal", "--listen", "0.0.0.0:0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "refusing to serve plain HTTP" in finished.stderr
