"""`sla-ledger verify` never crashes on a corrupt row: it prints JSON naming its position and
exits 1, on SQLite (where a column may hold a value of any type) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.tampering import Ledger, verify_command

# kind -> (SQLite statement, PostgreSQL statement): what both databases let an intruder store
CORRUPTIONS = {
    "negative version": (
        "UPDATE {events} SET originator_version = -1 WHERE {pos} = 4",
        "UPDATE {events} SET originator_version = -1 WHERE {pos} = 4",
    ),
    "NULL state": (
        "UPDATE {events} SET state = NULL WHERE {pos} = 4",
        "UPDATE {events} SET state = NULL WHERE {pos} = 4",
    ),
    "undecodable payload": (
        "UPDATE {events} SET state = X'FF00FE' WHERE {pos} = 4",
        "UPDATE {events} SET state = decode('ff00fe', 'hex') WHERE {pos} = 4",
    ),
    "NULL topic": (
        "UPDATE {events} SET topic = NULL WHERE {pos} = 4",
        "UPDATE {events} SET topic = NULL WHERE {pos} = 4",
    ),
    "hash of the wrong length": (
        "UPDATE {chain} SET hash = X'0102' WHERE position = 4",
        "UPDATE {chain} SET hash = decode('0102', 'hex') WHERE position = 4",
    ),
}
# What only SQLite lets a column hold: a value of another type than the ledger writes.
SQLITE_CORRUPTIONS = {
    "version as text": "UPDATE {events} SET originator_version = 'four' WHERE {pos} = 4",
    "state as text": "UPDATE {events} SET state = CAST(state AS TEXT) WHERE {pos} = 4",
    "topic not valid UTF-8": "UPDATE {events} SET topic = CAST(X'FF' AS TEXT) WHERE {pos} = 4",
    "stream id as bytes": "UPDATE {events} SET originator_id = X'6167' WHERE {pos} = 4",
    "hash as text": "UPDATE {chain} SET hash = 'not a hash' WHERE position = 4",
}


def _corrupted(ledger: Ledger, statement: str) -> dict[str, Any]:
    try:
        ledger.tamper(statement)
        return verify_command(ledger.database_url)
    finally:
        ledger.close()


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_verify_names_the_position_of_a_corrupt_row_and_exits_1(
    database_url: str,
    make_terms: Callable[..., Any],
    make_readings: Callable[..., Any],
    kind: str,
) -> None:
    ledger = Ledger(database_url, make_terms, make_readings)
    sqlite_statement, postgres_statement = CORRUPTIONS[kind]

    result = _corrupted(ledger, sqlite_statement if ledger.is_sqlite else postgres_statement)

    assert (result["ok"], result["first_bad_position"], result["returncode"]) == (False, 4, 1)
    assert result["problem"]


@pytest.mark.parametrize("kind", list(SQLITE_CORRUPTIONS))
def test_verify_names_the_position_of_a_value_of_the_wrong_type_and_exits_1(
    sqlite_database_url: str,
    make_terms: Callable[..., Any],
    make_readings: Callable[..., Any],
    kind: str,
) -> None:
    ledger = Ledger(sqlite_database_url, make_terms, make_readings)

    result = _corrupted(ledger, SQLITE_CORRUPTIONS[kind])

    assert (result["ok"], result["first_bad_position"], result["returncode"]) == (False, 4, 1)
    assert result["problem"]


def test_verify_ledger_reports_a_corrupt_row_instead_of_raising(
    database_url: str, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> None:
    ledger = Ledger(database_url, make_terms, make_readings)
    try:
        ledger.tamper(CORRUPTIONS["negative version"][0 if ledger.is_sqlite else 1])

        result = ledger.app.audit.verify_ledger()
    finally:
        ledger.close()

    assert (result.ok, result.first_bad_position) == (False, 4)


def test_verify_reports_a_file_that_is_not_a_database_as_json_and_exits_1(tmp_path: Path) -> None:
    damaged = tmp_path / "ledger.sqlite3"
    damaged.write_bytes(b"not a database, only bytes " * 200)

    result = verify_command(f"sqlite:///{damaged}")

    assert (result["ok"], result["returncode"]) == (False, 1)
    assert "cannot be read" in result["problem"]
