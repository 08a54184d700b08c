"""Tamper evidence: the hash chain catches every change made to the database directly."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from domain.exclusions import Exclusion, ExclusionKind
from service.application import LedgerApplication
from service.ledger_chain import GENESIS, Digest, extend
from service.recorders import CHAIN_TABLE
from service.storage import SchemaLock, parse_database_url
from tests.integration.conftest import SIGNED_AT


class Ledger:
    """An application with six events, and raw access to its tables for tampering."""

    def __init__(self, database_url: str, make_terms: Callable[..., Any], readings: Any) -> None:
        storage = parse_database_url(database_url)
        with SchemaLock(storage):
            self.app = LedgerApplication({**storage.env, "CREATE_TABLE": "y"})
        url = make_url(database_url)
        self.schema = url.query.get("schema")
        self.engine: Engine = create_engine(url.difference_update_query(["schema"]))
        prefix = f'"{self.schema}".' if self.schema else ""
        self.events = prefix + self.app.recorder.events_table_name  # type: ignore[attr-defined]
        self.chain = prefix + CHAIN_TABLE
        self.position = "rowid" if self.schema is None else "notification_id"
        for agreement_id in ("acme-1", "acme-2"):
            self.app.sign_agreement(agreement_id, make_terms(), SIGNED_AT)
        self.app.record_measurements("acme-1", readings(10))
        self.app.amend_agreement("acme-1", make_terms(), SIGNED_AT + timedelta(days=40))
        self.app.record_measurements("acme-2", readings(10))
        self.app.terminate_agreement("acme-2", SIGNED_AT + timedelta(days=50))

    def tamper(self, *statements: str, **params: Any) -> None:
        """Run statements with the append-only triggers out of the way, as an intruder would."""
        with self.engine.begin() as connection:
            self._disable_triggers(connection)
            for statement in statements:
                connection.execute(
                    text(statement.format(events=self.events, chain=self.chain, pos=self.position)),
                    params,
                )

    def _disable_triggers(self, connection: Connection) -> None:
        if self.schema is None:
            for table in (self.events.split(".")[-1], CHAIN_TABLE):
                for verb in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_{verb}"))
        else:
            connection.execute(text("SET session_replication_role = replica"))

    def close(self) -> None:
        self.engine.dispose()
        self.app.close()


@pytest.fixture
def ledger(
    database_url: str, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> Iterator[Ledger]:
    built = Ledger(database_url, make_terms, make_readings)
    yield built
    built.close()


def test_an_untouched_ledger_verifies_up_to_its_digest(ledger: Ledger) -> None:
    result = ledger.app.verify_ledger()

    assert (result.ok, result.checked_through) == (True, 6)
    assert result.digest == ledger.app.ledger_digest()


def test_an_old_digest_still_verifies_after_more_events(ledger: Ledger) -> None:
    kept = ledger.app.verify_ledger(up_to=3).digest
    ledger.app.record_exclusion("acme-1", _exclusion())

    assert ledger.app.verify_ledger(expected=kept).ok


def test_a_changed_payload_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper(
        "UPDATE {events} SET state = CAST(replace(state, 'acme', 'evil') AS BLOB) WHERE {pos} = 4"
        if ledger.schema is None
        else "UPDATE {events} SET state = convert_to(replace(convert_from(state, 'UTF8'), "
        "'acme', 'evil'), 'UTF8') WHERE {pos} = 4"
    )

    result = ledger.app.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 4)


def test_a_deleted_event_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 3")

    result = ledger.app.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 3)


def test_an_inserted_event_is_named_by_its_position(ledger: Ledger) -> None:
    columns = "originator_id, originator_version, topic, state"
    if ledger.schema is None:
        ledger.tamper(
            f"INSERT INTO {{events}} (rowid, {columns}) "
            "SELECT 7, 'agreement:evil', 1, topic, state FROM {events} WHERE rowid = 1"
        )
    else:
        ledger.tamper(
            f"INSERT INTO {{events}} (notification_id, {columns}) "
            "SELECT 7, 'agreement:evil', 1, topic, state FROM {events} WHERE notification_id = 1"
        )

    result = ledger.app.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 7)


def test_two_swapped_events_are_named_by_the_first_position(ledger: Ledger) -> None:
    ledger.tamper(
        "UPDATE {events} SET {pos} = -2 WHERE {pos} = 2",
        "UPDATE {events} SET {pos} = 2 WHERE {pos} = 5",
        "UPDATE {events} SET {pos} = 5 WHERE {pos} = -2",
    )

    result = ledger.app.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 2)


def test_a_rewritten_chain_passes_alone_but_not_against_a_kept_digest(ledger: Ledger) -> None:
    kept = ledger.app.ledger_digest()
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 3", "DELETE FROM {chain}")
    events, _, _ = ledger.app.ledger_recorder.select_chained(0, 10, 100)
    rewritten = extend(GENESIS, events)
    for position, digest in rewritten:
        ledger.tamper("INSERT INTO {chain} (position, hash) VALUES (:p, :h)", p=position, h=digest)

    assert ledger.app.verify_ledger().ok
    result = ledger.app.verify_ledger(expected=kept)
    assert (result.ok, result.first_bad_position) == (False, kept.position)
    assert kept != Digest(*rewritten[-1])


def _exclusion() -> Exclusion:
    start = SIGNED_AT + timedelta(days=3)
    return Exclusion("x-1", start, start + timedelta(hours=1), ExclusionKind.OTHER, "kept")


def test_sla_ledger_verify_exits_1_naming_the_first_bad_position(
    sqlite_database_url: str, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> None:
    tampered = Ledger(sqlite_database_url, make_terms, make_readings)
    intact = _verify_command(sqlite_database_url)
    tampered.tamper("DELETE FROM {events} WHERE {pos} = 5")
    tampered.close()

    broken = _verify_command(sqlite_database_url, "--expect", intact["digest"])

    assert intact["ok"] is True
    assert (broken["ok"], broken["first_bad_position"], broken["returncode"]) == (False, 5, 1)


def _verify_command(database_url: str, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "verify", "--database-url", database_url, *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return {**json.loads(done.stdout), "returncode": done.returncode}


def test_a_log_written_before_the_chain_is_chained_on_its_next_append(ledger: Ledger) -> None:
    ledger.tamper("DELETE FROM {chain}")  # as a log recorded before the chain existed

    ledger.app.record_exclusion("acme-1", _exclusion())

    result = ledger.app.verify_ledger()
    assert (result.ok, result.checked_through) == (True, 7)
