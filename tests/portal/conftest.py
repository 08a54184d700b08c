"""Fixtures for the portal tests: one real `sla-ledger serve` with tokens, seeded through its
gRPC API, and the portal's Flask test client talking to it like any client.

The server is shared by the session's portal tests (they only read), started on port 0 over a
SQLite file and stopped at the session's end (per xdist worker).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from flask.testing import FlaskClient

from portal.app import create_app
from reports.connection import LedgerConnection
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from tests.api.server_process import ServerProcess
from tests.api.token_server import auth, write_tokens
from tests.portal.seed import Seeded, seed

LISTEN_DEADLINE_SECONDS = 30.0
RPC_TIMEOUT_SECONDS = 10.0


@pytest.fixture(scope="session")
def ledger_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A ledger with the token file of tests/api/token_server.py (each token: name + "-token")."""
    folder = tmp_path_factory.mktemp("portal-ledger")
    tokens = write_tokens(folder / "tokens.json")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            f"sqlite:///{folder / 'ledger.sqlite3'}",
            "--close-periods",
            "off",
            "--tokens",
            str(tokens),
        ],
        cwd=folder,
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
        server.port = int(server.wait_for_log("listening", LISTEN_DEADLINE_SECONDS)["port"])
        server.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
        grpc.channel_ready_future(server.channel).result(timeout=RPC_TIMEOUT_SECONDS)
        yield server
        server.stop()
    finally:
        server.kill()


@pytest.fixture(scope="session")
def seeded(ledger_server: ServerProcess) -> Seeded:
    """The seeded ledger's facts (tests/portal/seed.py)."""
    stub = ledger_service_pb2_grpc.LedgerServiceStub(ledger_server.channel)
    return seed(stub, auth("admin"))


@pytest.fixture
def portal(ledger_server: ServerProcess, seeded: Seeded) -> FlaskClient:
    """The portal's test client, signed out."""
    connection = LedgerConnection(ledger_server.channel, "", RPC_TIMEOUT_SECONDS)
    return create_app(connection.with_token, TESTING=True).test_client()


@pytest.fixture
def signed_in(portal: FlaskClient) -> Callable[[str], FlaskClient]:
    """The test client signed in with the token of a tests/api/token_server.py name."""

    def sign_in(name: str) -> FlaskClient:
        answer = portal.post("/sign-in", data={"token": f"{name}-token"})
        assert answer.status_code == 303
        return portal

    return sign_in


@pytest.fixture
def page_text() -> Callable[[Any], str]:
    """The HTML of a test client response."""

    def text(response: Any) -> str:
        body: str = response.get_data(as_text=True)
        return body

    return text


@pytest.fixture
def repo_root() -> Path:
    """The repository's root folder."""
    return Path(__file__).resolve().parents[2]
