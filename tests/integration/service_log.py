"""A log held in memory, in log order, and read models fed from it on a real database.

The read-model tests of service SLAs build their events with the domain (the worked examples'
ServiceHistory) and give them positions 1, 2, ... as the store would; the read models run on
SQLite or PostgreSQL exactly as beside a ledger, reading the log only through a LogSource.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, text

from domain.subscriptions import Subscription
from projections.event_encodings import EncodedEvent
from projections.log_source import LoggedEvent
from projections.read_models import ReadModels
from projections.subscription_views import SubscriptionRow
from service.store.read_models_engine import read_models_engine
from service.store.storage import parse_database_url


class MemoryEntry:
    """One event of the log as the runners read it."""

    def __init__(self, position: int, event: Any) -> None:
        self.position = position
        self.topic = get_topic(type(event))
        self._event = event

    def event(self) -> Any:
        """The event."""
        return self._event


class MemoryLog:
    """A log of events appended in order; positions from 1."""

    def __init__(self) -> None:
        self.entries: list[MemoryEntry] = []

    def extend(self, events: Sequence[Any]) -> None:
        """Append events at the next positions."""
        for event in events:
            self.entries.append(MemoryEntry(len(self.entries) + 1, event))

    def head(self) -> int:
        """The position of the newest event, 0 for an empty log."""
        return len(self.entries)

    def read_log(self, after: int, limit: int) -> Sequence[Any]:
        """Up to limit entries after a position."""
        return self.entries[after : after + limit]


class NoEncodings:
    """An encoder of no event: these tests check the read models, not the public schema."""

    topics: frozenset[str] = frozenset()

    def encode(self, logged: LoggedEvent) -> EncodedEvent:
        """Never called: no topic is encoded."""
        raise AssertionError(f"no event is encoded here, got {logged!r}")


def read_models_engine_at(database_url: str) -> Engine:
    """The read models' engine on a database, its PostgreSQL schema created when missing."""
    storage = parse_database_url(database_url)
    engine = read_models_engine(storage)
    schema = storage.env.get("POSTGRES_SCHEMA")
    if schema:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


@contextlib.contextmanager
def memory_read_models(database_url: str, log: MemoryLog) -> Iterator[ReadModels]:
    """The read models on a database, fed from log, their tables created."""
    models = ReadModels(
        log,
        read_models_engine_at(database_url),
        NoEncodings(),
        contextlib.nullcontext,
    )
    models.create()
    try:
        yield models
    finally:
        models.stop()


def expected_subscription_row(subscription: Subscription, position: int) -> SubscriptionRow:
    """The row the projection's columns describe (projections/tables.py), from the aggregate."""
    changes = subscription.changes
    newest = changes[-1] if len(changes) > 1 else None
    before = (
        changes[0]
        if newest is None
        else subscription.terms_at(newest.effective_from - timedelta(microseconds=1))
    )
    return SubscriptionRow(
        agreement_id=subscription.agreement_id,
        customer_id=subscription.customer_id,
        customer_name=subscription.customer.display_name,
        tier_id=before.tier_id,
        fee=before.fee,
        change_tier_id=None if newest is None else newest.tier_id,
        change_fee=None if newest is None else newest.fee,
        change_effective_from=None if newest is None else newest.effective_from,
        changes=tuple(changes),
        start=subscription.start,
        planned_end=subscription.planned_end,
        ended_at=subscription.ended_at,
        version=subscription.version,
        position=position,
    )
