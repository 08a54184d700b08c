"""The command line: log levels, version, and what a new user types first."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from service.bootstrap import open_application

CLI = (sys.executable, "-m", "service.cli")
REPOSITORY = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ("serve", "project", "rebuild-projections", "export-credits", "verify", "hash-token")


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_an_unknown_log_level_is_refused_in_one_line(
    command: str, run_command: Callable[[Sequence[str]], Any], sqlite_database_url: str
) -> None:
    done = run_command(
        [*CLI, command, "--database-url", sqlite_database_url, "--log-level", "verbose"]
    )

    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "sla-ledger: --log-level: 'verbose' is not a valid log level "
        "(DEBUG, INFO, WARNING or ERROR)"
    ]


def test_an_unknown_log_level_in_the_environment_is_refused_naming_the_variable(
    run_command: Callable[[Sequence[str]], Any],
    sqlite_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLA_LEDGER_LOG_LEVEL", "loud")

    done = run_command([*CLI, "verify", "--database-url", sqlite_database_url])

    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "sla-ledger: SLA_LEDGER_LOG_LEVEL: 'loud' is not a valid log level "
        "(DEBUG, INFO, WARNING or ERROR)"
    ]


def test_a_subcommand_takes_a_log_level_in_any_case(
    run_command: Callable[[Sequence[str]], Any], sqlite_database_url: str
) -> None:
    open_application(sqlite_database_url).close()  # an empty ledger to verify

    done = run_command(
        [*CLI, "verify", "--database-url", sqlite_database_url, "--log-level", "debug"]
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


@pytest.mark.parametrize("listen", ["localhost:0", "LOCALHOST:0"])
def test_a_server_listens_in_plaintext_on_a_loopback_name(
    start_server: Callable[..., Any], sqlite_database_url: str, listen: str
) -> None:
    server = start_server(sqlite_database_url, listen=listen)

    assert server.wait_for_log("listening", 10)["port"] == server.port


def test_a_server_on_a_url_with_libpq_parameters_names_its_sessions(
    start_server: Callable[..., Any], postgres_database_url: str
) -> None:
    name = "sla-ledger-test-server"
    url = (
        make_url(postgres_database_url)
        .update_query_dict({"application_name": name, "sslmode": "disable", "connect_timeout": "5"})
        .render_as_string(hide_password=False)
    )
    start_server(url)

    with psycopg.connect(dbname="test", host="127.0.0.1", user="postgres") as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone()
    assert row is not None and row[0] >= 1


def test_the_version_comes_from_the_package_metadata(
    run_command: Callable[[Sequence[str]], Any],
) -> None:
    done = run_command([*CLI, "--version"])

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sla-ledger {importlib.metadata.version('sla-ledger')}"


def _installs(target: str, run_command: Callable[[Sequence[str]], Any], venv: Path) -> list[str]:
    """The pip installs of the project that `make TARGET` would run in a fresh venv."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = run_command(["make", "-C", str(REPOSITORY), "-n", "-B", target, f"VENV={venv}"])
    assert done.returncode == 0, done.stderr
    return [
        line.partition(" -m pip ")[2]
        for line in done.stdout.splitlines()
        if " -m pip install" in line and "--upgrade pip" not in line
    ]


def test_make_run_installs_the_service_without_the_dev_tools(
    run_command: Callable[[Sequence[str]], Any], tmp_path: Path
) -> None:
    assert _installs("run", run_command, tmp_path / "venv") == [
        "install --quiet -e ./clients/python -e ."
    ]


def test_make_test_installs_the_dev_tools(
    run_command: Callable[[Sequence[str]], Any], tmp_path: Path
) -> None:
    assert _installs("test", run_command, tmp_path / "venv") == [
        "install --quiet -e ./clients/python -e '.[dev]'"
    ]
