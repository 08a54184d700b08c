"""A projection worker (`sla-ledger project`, the server's child) started while the database could
not be written reconnects, with backoff, and catches up once it can be written again.

On SQLite the worker runs without the capability to override file permissions (CAP_DAC_OVERRIDE,
which root has) on a database file made read-only (0444): SQLite then opens it read-only, and
that connection never writes again, even after the file is writable. On PostgreSQL the worker's
role gets `default_transaction_read_only` and its sessions are ended (as after a fail-over onto
a standby), so its new sessions are read-only for as long as they live.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url

DEADLINE_SECONDS = 60.0
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
FAILED = "projection round failed; reconnecting and retrying"
RECOVERED = "projections recovered"


class Worker:
    """A running `sla-ledger project` process and its JSON log lines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._lines: list[str] = []
        self._condition = threading.Condition()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._condition:
                self._lines.append(line)
                self._condition.notify_all()

    def entries(self, message: str) -> list[dict[str, Any]]:
        """The log entries with this message so far."""
        with self._condition:
            lines = list(self._lines)
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and entry.get("message") == message:
                found.append(entry)
        return found

    def wait_for(self, message: str, count: int = 1) -> list[dict[str, Any]]:
        """The first count entries with this message, waiting for them (bounded)."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        with self._condition:
            while len(found := self.entries(message)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    pytest.fail(f"no {count} x {message!r}; log:\n{''.join(self._lines)}")
                self._condition.wait(min(remaining, 0.5))
        return found[:count]


@pytest.fixture
def start_worker() -> Iterator[Callable[..., Worker]]:
    """Start `python -m service.cli project` on a database URL; killed at teardown."""
    started: list[Worker] = []

    def start(database_url: str, preexec_fn: Callable[[], None] | None = None) -> Worker:
        command: Sequence[str] = [sys.executable, "-m", "service.cli", "project"]
        process = subprocess.Popen(
            [*command, "--database-url", database_url, "--log-level", "INFO"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec_fn,
        )
        worker = Worker(process)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


def _without_dac_override() -> None:
    """In the child before exec: lose root's right to write files whatever their mode."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        os._exit(97)


def _can_drop_dac_override() -> bool:
    return subprocess.run(["true"], preexec_fn=_without_dac_override).returncode == 0


TERMS = AgreementTerms(
    provider=Party("acme-cloud", "ACME Cloud"),
    customer=Party("globex", "Globex"),
    kind=AgreementKind.CUSTOMER_BASED,
    services=("compute",),
    time_zone="UTC",
    fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
    term_start=datetime(2026, 1, 1, tzinfo=UTC),
    term_end=None,
    objectives=(Objective("availability", "availability", Decimal("99.9"), PeriodUnit.MONTH),),
)


@pytest.fixture
def open_ledger() -> Iterator[Callable[[str], tuple[LedgerApplication, ReadModels]]]:
    """An application on a database with its read-model tables; closed at teardown."""
    opened: list[tuple[LedgerApplication, ReadModels]] = []

    def open_(database_url: str) -> tuple[LedgerApplication, ReadModels]:
        storage = parse_database_url(database_url)
        app = open_application(storage)
        read_models = open_read_models(app, storage, create_tables=False)
        read_models.create()
        opened.append((app, read_models))
        return app, read_models

    yield open_
    for app, read_models in opened:
        read_models.engine.dispose()
        app.close()


def _sign(app: LedgerApplication, agreement_id: str) -> int:
    """Sign an agreement; the log position it reached."""
    return app.commands.sign_agreement(agreement_id, TERMS, datetime(2026, 1, 1, tzinfo=UTC))[1]


def _wait_for_position(read_models: ReadModels, position: int) -> None:
    assert read_models.wait_for(position, DEADLINE_SECONDS), (
        f"read models at {read_models.position()}, not {position}"
    )


def test_a_worker_started_on_a_read_only_sqlite_file_catches_up_once_it_is_writable(
    tmp_path: Path, start_worker: Callable[..., Worker], open_ledger: Callable[..., Any]
) -> None:
    if not _can_drop_dac_override():
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here (needs CAP_SETPCAP)")
    path = tmp_path / "ledger.sqlite3"
    database_url = f"sqlite:///{path}"
    app, read_models = open_ledger(database_url)
    head = max(_sign(app, f"sla-{number}") for number in range(3))
    path.chmod(0o444)
    worker = start_worker(database_url, preexec_fn=_without_dac_override)
    failures = worker.wait_for(FAILED, count=2)

    path.chmod(0o644)

    _wait_for_position(read_models, head)
    worker.wait_for(RECOVERED)
    assert [f["retry_in_seconds"] for f in failures] == [0.5, 1.0]
    assert "readonly database" in failures[0]["exception"]


@pytest.fixture
def read_only_role(postgres_server_url: str) -> Iterator[tuple[str, Callable[..., None]]]:
    """A login role whose sessions may be made read-only; (its name, an admin SQL runner)."""
    parsed = make_url(postgres_server_url)
    role = f"ro_{uuid.uuid4().hex[:12]}"

    def admin(statement: sql.SQL | sql.Composed, *parameters: Any) -> None:
        with psycopg.connect(
            dbname=parsed.database,
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password or "",
            autocommit=True,
        ) as connection:
            connection.execute(statement, parameters or None)

    admin(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield role, admin
    admin(
        sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"),
        role,
    )
    admin(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    admin(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_worker_whose_postgres_sessions_turned_read_only_catches_up_once_writable(
    postgres_database_url: str,
    read_only_role: tuple[str, Callable[..., None]],
    start_worker: Callable[..., Worker],
    open_ledger: Callable[..., Any],
) -> None:
    role, admin = read_only_role
    parsed = make_url(postgres_database_url)
    admin(
        sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
            sql.Identifier(str(parsed.database)), sql.Identifier(role)
        )
    )
    worker_url = parsed.set(username=role, password=None).render_as_string(hide_password=False)
    owner, owner_models = open_ledger(worker_url)  # the worker's role owns the tables
    owner_models.engine.dispose()
    owner.close()
    app, read_models = open_ledger(postgres_database_url)
    first = _sign(app, "sla-0")
    worker = start_worker(worker_url)
    _wait_for_position(read_models, first)
    role_name = sql.Identifier(role)
    admin(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role_name))
    admin(
        sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"),
        role,
    )
    head = _sign(app, "sla-1")
    worker.wait_for(FAILED, count=2)

    admin(sql.SQL("ALTER ROLE {} RESET default_transaction_read_only").format(role_name))

    _wait_for_position(read_models, head)
    worker.wait_for(RECOVERED)
