"""Fixtures for the client's own tests: real `sla-ledger serve` processes on SQLite files.

The client is tested the way its users meet it: against a server started as its own process,
on a free port, stopped with SIGTERM. Every wait is bounded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.api.server_process import ServerProcess

LISTEN_DEADLINE_SECONDS = 30.0


def free_port() -> int:
    """A TCP port nothing listens on now (the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def start_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Start `sla-ledger serve` on a SQLite file and an address; killed at teardown if left."""
    started: list[ServerProcess] = []

    def start(
        database: Path, listen: str = "127.0.0.1:0", extra_args: Sequence[str] = ()
    ) -> ServerProcess:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--listen",
                listen,
                "--database-url",
                f"sqlite:///{database}",
                "--close-periods",
                "off",
                *extra_args,
            ],
            cwd=tmp_path_factory.mktemp("ledger"),
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
        server.port = int(server.wait_for_log("listening", LISTEN_DEADLINE_SECONDS)["port"])
        return server

    yield start
    for server in started:
        server.kill()


def _agreement_terms() -> Any:
    """Terms of one monthly 99.9% availability objective in UTC from 2026-01-01, EUR 1000.00."""
    from google.protobuf.timestamp_pb2 import Timestamp
    from sla_ledger_client.v1 import terms_pb2

    start = Timestamp()
    start.FromJsonString("2026-01-01T00:00:00Z")
    return terms_pb2.AgreementTerms(
        provider=terms_pb2.Party(party_id="acme", display_name="Acme Hosting"),
        customer=terms_pb2.Party(party_id="globex", display_name="Globex"),
        kind=terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
        services=["api"],
        time_zone="UTC",
        fee=terms_pb2.Fee(
            amount=terms_pb2.Money(currency_code="EUR", amount="1000.00"),
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
        term_start=start,
        objectives=[
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent="99.9",
                period=terms_pb2.PERIOD_UNIT_MONTH,
            )
        ],
    )


@pytest.fixture(scope="module")
def agreement_terms() -> Callable[[], Any]:
    """A maker of fresh AgreementTerms (see _agreement_terms)."""
    return _agreement_terms


@pytest.fixture
def free_listen_address() -> str:
    """127.0.0.1 and a port nothing listens on now: a server restarted on it keeps its address."""
    return f"127.0.0.1:{free_port()}"
