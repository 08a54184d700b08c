"""Stored-event fixtures: files of events as an earlier ledger stored them, decoded by today's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from service.app.application import LedgerApplication
from service.store.storage import parse_database_url


def decode_fixture(fixture: Path, database: Path) -> list[Any]:
    """The events of a fixture file (rows of stream, version, topic and state, in log order),
    decoded by the mapper of a ledger on a new SQLite file at database."""
    app = LedgerApplication({**parse_database_url(f"sqlite:///{database}").env})
    return [
        app.mapper.to_domain_event(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"].encode(),
            )
        )
        for row in json.loads(fixture.read_text())
    ]
