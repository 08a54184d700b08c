"""`sla-ledger verify` reads the database only: a read-only copy verifies and stays identical,
a missing ledger is refused and never created, and PostgreSQL is read in a read-only way."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
SERVER_ARGS = ("--close-periods", "off", "--projections", "off")
READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
READ_ONLY_DIRECTORY = READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def _cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "service.cli", *arguments]


def _fill(server: Any, agreements: int, sign_request: Callable[..., Any]) -> pb.LedgerDigest:
    stub = Stub(server.channel)
    for index in range(agreements):
        stub.SignAgreement(sign_request(f"sla-{index}"), timeout=TIMEOUT)
    digest: pb.LedgerDigest = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT
    ).digest
    return digest


def _snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


@pytest.fixture
def read_only_copy(tmp_path: Path) -> Iterator[Callable[[Path, Sequence[str]], Path]]:
    """Copy a ledger's files (suffixes of its path) into a directory made read-only."""
    made: list[Path] = []

    def copy(database: Path, suffixes: Sequence[str]) -> Path:
        directory = tmp_path / f"read-only-{len(made)}"
        directory.mkdir()
        for suffix in suffixes:
            target = directory / (database.name + suffix)
            shutil.copyfile(f"{database}{suffix}", target)
            target.chmod(READ_ONLY_FILE)
        directory.chmod(READ_ONLY_DIRECTORY)
        made.append(directory)
        return directory / database.name

    yield copy
    for directory in made:
        directory.chmod(stat.S_IRWXU)


@pytest.mark.parametrize(
    "suffixes", [("", "-wal", "-shm"), ("", "-wal")], ids=["with-wal-index", "without-wal-index"]
)
def test_verify_on_a_read_only_copy_of_a_killed_server_reads_its_wal_and_writes_nothing(
    sqlite_database_url: str,
    start_server: Callable[..., Any],
    run_command: Callable[[Sequence[str]], Any],
    sign_request: Callable[..., Any],
    read_only_copy: Callable[[Path, Sequence[str]], Path],
    suffixes: Sequence[str],
) -> None:
    database = Path(make_url(sqlite_database_url).database or "")
    server = start_server(sqlite_database_url, extra_args=SERVER_ARGS)
    digest = _fill(server, 3, sign_request)
    server.kill()
    assert Path(f"{database}-wal").stat().st_size > 0  # the events are still in the WAL
    copy = read_only_copy(database, suffixes)
    before = _snapshot(copy.parent)

    done = run_command(_cli("verify", "--database-url", f"sqlite:///{copy}"))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["digest"] == f"{digest.log_position}:{digest.sha256_hex}"
    assert _snapshot(copy.parent) == before


def test_verify_on_a_read_only_copy_of_a_stopped_server_writes_nothing(
    sqlite_database_url: str,
    start_server: Callable[..., Any],
    run_command: Callable[[Sequence[str]], Any],
    sign_request: Callable[..., Any],
    read_only_copy: Callable[[Path, Sequence[str]], Path],
) -> None:
    database = Path(make_url(sqlite_database_url).database or "")
    server = start_server(sqlite_database_url, extra_args=SERVER_ARGS)
    digest = _fill(server, 2, sign_request)
    server.stop()
    copy = read_only_copy(database, [""])
    before = _snapshot(copy.parent)

    done = run_command(_cli("verify", "--database-url", f"sqlite:///{copy}"))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["digest"] == f"{digest.log_position}:{digest.sha256_hex}"
    assert _snapshot(copy.parent) == before


@pytest.mark.parametrize(
    "command",
    [
        ("verify",),
        ("export-credits",),
        ("rebuild-projections",),
        ("project",),
        ("adopt-chain", "--by", "ops"),
    ],
)
def test_a_command_that_reads_a_ledger_refuses_a_missing_sqlite_file_and_creates_nothing(
    tmp_path: Path, run_command: Callable[[Sequence[str]], Any], command: Sequence[str]
) -> None:
    missing = tmp_path / "nowhere" / "ledger.sqlite3"
    missing.parent.mkdir()

    done = run_command(_cli(*command, "--database-url", f"sqlite:///{missing}"))

    assert done.returncode != 0
    assert f"no ledger at {missing}" in done.stderr
    assert list(missing.parent.iterdir()) == []


def test_verify_creates_no_postgresql_schema_for_a_missing_ledger(
    postgres_database_url: str, run_command: Callable[[Sequence[str]], Any]
) -> None:
    done = run_command(_cli("verify", "--database-url", postgres_database_url))

    assert done.returncode != 0
    assert "no ledger in schema" in done.stderr
    assert not _schema_exists(postgres_database_url)


@pytest.fixture
def reader_role(postgres_database_url: str) -> Iterator[str]:
    """A login role that may only read the schema's tables, dropped after the test."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    with _admin(postgres_database_url) as connection:
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield role
    with _admin(postgres_database_url) as connection:
        connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_verify_on_postgresql_needs_only_the_right_to_read(
    postgres_database_url: str,
    start_server: Callable[..., Any],
    run_command: Callable[[Sequence[str]], Any],
    sign_request: Callable[..., Any],
    reader_role: str,
) -> None:
    server = start_server(postgres_database_url, extra_args=SERVER_ARGS)
    digest = _fill(server, 2, sign_request)
    server.stop()
    schema = sql.Identifier(str(make_url(postgres_database_url).query["schema"]))
    with _admin(postgres_database_url) as connection:
        role = sql.Identifier(reader_role)
        connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
        connection.execute(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role)
        )
    as_reader = make_url(postgres_database_url).set(username=reader_role, password=None)

    done = run_command(
        _cli("verify", "--database-url", as_reader.render_as_string(hide_password=False))
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["digest"] == f"{digest.log_position}:{digest.sha256_hex}"


def _admin(database_url: str) -> psycopg.Connection[Any]:
    url = make_url(database_url)
    return psycopg.connect(
        dbname=url.database,
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password or "",
        autocommit=True,
    )


def _schema_exists(database_url: str) -> bool:
    with _admin(database_url) as connection:
        found = connection.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
            (make_url(database_url).query["schema"],),
        ).fetchone()
    return found is not None
