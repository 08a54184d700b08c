"""A small ledger and the means of an intruder with write access to its database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from service.bootstrap import open_application
from service.store.chain_sql import ADOPTIONS_TABLE, CHAIN_TABLE
from service.store.storage import parse_database_url
from tests.integration.conftest import SIGNED_AT

CLI_TIMEOUT_SECONDS = 60
EVENT_COLUMNS = "originator_id, originator_version, topic, state"


class Ledger:
    """An application with six events, and raw access to its tables for tampering."""

    def __init__(self, database_url: str, make_terms: Callable[..., Any], readings: Any) -> None:
        self.database_url = database_url
        self.make_terms = make_terms
        storage = parse_database_url(database_url)
        self.app = open_application(storage)
        url = make_url(database_url)
        self.schema = url.query.get("schema")
        self.engine: Engine = create_engine(url.difference_update_query(["schema"]))
        self.prefix = f'"{self.schema}".' if self.schema else ""
        self.events_table: str = self.app.recorder.events_table_name  # type: ignore[attr-defined]
        self.events = self.prefix + self.events_table
        self.chain = self.prefix + CHAIN_TABLE
        self.adoptions = self.prefix + ADOPTIONS_TABLE
        self.position = "rowid" if self.schema is None else "notification_id"
        for agreement_id in ("acme-1", "acme-2"):
            self.app.commands.sign_agreement(agreement_id, make_terms(), SIGNED_AT)
        self.app.ingest.record_measurements("acme-1", readings(10))
        self.app.commands.amend_agreement("acme-1", make_terms(), SIGNED_AT + timedelta(days=40))
        self.app.ingest.record_measurements("acme-2", readings(10))
        self.app.commands.terminate_agreement("acme-2", SIGNED_AT + timedelta(days=50))

    @property
    def is_sqlite(self) -> bool:
        """Whether the ledger is a SQLite file."""
        return self.schema is None

    def tamper(self, *statements: str, **params: Any) -> None:
        """Run statements with the append-only triggers dropped first, as the database's owner
        could; {events}, {chain}, {adoptions} and {pos} name the tables and the position."""
        with self.engine.begin() as connection:
            self._drop_triggers(connection)
            for statement in statements:
                connection.execute(text(self.sql(statement)), params)

    def restore_triggers(self) -> None:
        """Create the append-only triggers again, as a starting server does."""
        storage = parse_database_url(self.database_url)
        open_application(storage).close()

    def sql(self, statement: str) -> str:
        """A statement with the table and position names filled in."""
        return statement.format(
            events=self.events, chain=self.chain, adoptions=self.adoptions, pos=self.position
        )

    def forge_event(self, position: int) -> None:
        """Insert a copy of the first event, for another stream, at position (an INSERT, which
        no trigger refuses)."""
        self.tamper(
            f"INSERT INTO {{events}} ({{pos}}, {EVENT_COLUMNS}) "
            f"SELECT {position}, 'agreement:evil', 1, topic, state "
            "FROM {events} WHERE {pos} = 1"
        )

    def sign(self, agreement_id: str) -> None:
        """An ordinary append."""
        self.app.commands.sign_agreement(agreement_id, self.make_terms(), SIGNED_AT)

    def event_positions(self) -> list[int]:
        """Every position of the events table, in order."""
        with self.engine.connect() as connection:
            rows = connection.execute(text(self.sql("SELECT {pos} FROM {events} ORDER BY {pos}")))
            return [row[0] for row in rows]

    def chain_positions(self) -> list[int]:
        """Every position of the chain, in order."""
        with self.engine.connect() as connection:
            rows = connection.execute(text(self.sql("SELECT position FROM {chain} ORDER BY 1")))
            return [row[0] for row in rows]

    def _drop_triggers(self, connection: Connection) -> None:
        for table in (self.events_table, CHAIN_TABLE, ADOPTIONS_TABLE):
            if self.is_sqlite:
                for verb in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_{verb}"))
            else:
                for kind in ("update", "truncate"):
                    trigger = f"{table}_refuse_{kind}"
                    connection.execute(
                        text(f'DROP TRIGGER IF EXISTS {trigger} ON "{self.schema}".{table}')
                    )

    def close(self) -> None:
        """Release the application and the raw connections."""
        self.engine.dispose()
        self.app.close()


def run_cli(*arguments: str) -> tuple[int, str, str]:
    """Run `python -m service.cli` to its end: exit code, stdout, stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=CLI_TIMEOUT_SECONDS,
    )
    return done.returncode, done.stdout, done.stderr


def verify_command(database_url: str, *extra: str) -> dict[str, Any]:
    """`sla-ledger verify`'s JSON and its exit code (as "returncode")."""
    code, stdout, stderr = run_cli("verify", "--database-url", database_url, *extra)
    try:
        printed = json.loads(stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"verify printed no JSON (exit {code}):\n{stdout}\n{stderr}") from None
    return {**printed, "returncode": code}
