"""Feeds projections from the notification log, exactly once, resuming where they stopped.

Each batch runs in one database transaction that applies the events and moves the projection's
tracking position with a compare-and-set (UPDATE ... WHERE position = the one read). Two runners
on one database therefore never apply an event twice: the second one's update matches no row,
its transaction rolls back, and it reads the new position on its next round. Rows derived from
an event are keyed by the event's log position, a second line of defence.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from projections.tables import CACHE_TABLES, READ_MODEL_TABLES, metadata, projection_tracking
from projections.tracing_spans import span

logger = logging.getLogger("sla_ledger.projections")


class LogEntry(Protocol):
    """One event of the log as read: its position and topic, decoded only when asked."""

    @property
    def position(self) -> int:
        """The event's log position."""

    @property
    def topic(self) -> str:
        """The event's topic."""

    def event(self) -> Any:
        """The decoded event (decoded again at every call)."""


# (after position, limit) -> the entries after that position, in log order
LogReader = Callable[[int, int], Sequence[LogEntry]]


class Projection(Protocol):
    """A read model: a name, the event topics it handles, how a batch of events changes it."""

    name: str
    topics: frozenset[str]

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Apply events (position, event) in log order, all in the caller's transaction.

        events may be decoded while they are iterated: iterate them once.
        """


class BatchedProjectionRunner:
    """Applies the log to one projection in batches, each batch in one transaction.

    Not eventsourcing's own ProjectionRunner (eventsourcing/projection.py), which builds its
    own application from a class and an environment, subscribes to it and, in a thread, hands
    the projection one (event, Tracking) pair at a time: process_event applies each event and
    records its tracking in a transaction of its own. Here a batch of up to batch_size log
    positions is one transaction that moves the tracking by compare-and-set, several runners
    share one read of the log (run_together), and the audit replays through the same runner.
    bench/projection_batching.py (11,492 events, two runs on a shared 2-core machine), events
    of the read model's topics applied per second, one per transaction -> batches of 500:
    SQLite: rollups 1,056-1,451 -> 19,417-35,430 (18-24x), event encodings 643-1,081 ->
    4,932-8,807 (8x), views 543-923 -> 2,594-4,817 (5x); PostgreSQL: rollups 326-623 ->
    14,099-25,508 (41-43x), event encodings 325-468 -> 6,353-6,508 (14-20x), views 214-397 ->
    1,237-2,217 (6x). At those rates the 38,307 events of bench.rebuild would take about
    65-100 s one per transaction on SQLite, against 3.6 s for ReadModels.rebuild(encodings=True).
    """

    def __init__(
        self, engine: Engine, read_log: LogReader, projection: Projection, batch_size: int = 500
    ) -> None:
        self._engine = engine
        self._read_log = read_log
        self._projection = projection
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        """The projection's name."""
        return self._projection.name

    def position(self) -> int:
        """The log position the projection reflects."""
        with self._engine.connect() as connection:
            return self._read_position(connection)

    @property
    def topics(self) -> frozenset[str]:
        """The event topics the projection handles."""
        return self._projection.topics

    def run_once(self) -> int:
        """Apply the next batch; the number of events applied (0 when caught up or outpaced)."""
        start = self.position()
        return self.apply(start, self._read_log(start, self._batch_size))

    def apply(self, start: int, entries: Sequence[LogEntry]) -> int:
        """Apply, in one transaction, the entries of a read of the log that come after start
        (the position this runner read), decoding only those of its topics, one at a time. The
        number of log positions passed (0 when there were none or another runner applied them
        first)."""
        after = [entry for entry in entries if entry.position > start]
        if not after:
            return 0
        topics = self.topics
        handled = ((e.position, e.event()) for e in after if e.topic in topics)
        try:
            with (
                span("ledger.projection.batch", read_model=self.name, events=len(after)),
                self._engine.begin() as connection,
            ):
                self._projection.handle_batch(connection, handled)
                moved = connection.execute(
                    update(projection_tracking)
                    .where(
                        projection_tracking.c.name == self.name,
                        projection_tracking.c.position == start,
                    )
                    .values(position=after[-1].position)
                )
                if moved.rowcount != 1:
                    raise _OutpacedError
        except (_OutpacedError, IntegrityError):
            logger.info("another runner applied this batch first", extra={"projection": self.name})
            return 0
        return len(after)

    def catch_up(self) -> int:
        """Apply batches until the projection reflects the whole log; events applied."""
        total = 0
        while applied := self.run_once():
            total += applied
        return total

    def _read_position(self, connection: Connection) -> int:
        row = connection.execute(
            select(projection_tracking.c.position).where(projection_tracking.c.name == self.name)
        ).first()
        return int(row[0]) if row else 0


def run_together(
    runners: Sequence[BatchedProjectionRunner], read_log: LogReader, batch_size: int
) -> int:
    """One round of several runners over a single read of the log; the most events any of them
    applied. Each runner decodes the events of its own topics."""
    starts = [runner.position() for runner in runners]
    events = read_log(min(starts), batch_size)
    return max(
        (runner.apply(start, events) for runner, start in zip(runners, starts, strict=True)),
        default=0,
    )


class _OutpacedError(Exception):
    """Another runner moved the tracking position during this batch."""


def create_tables(engine: Engine, names: Sequence[str]) -> None:
    """Create the read-model tables and a tracking row (position 0) for each projection."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        known = set(connection.execute(select(projection_tracking.c.name)).scalars())
        for name in names:
            if name not in known:
                connection.execute(insert(projection_tracking).values(name=name, position=0))


def drop_tables(engine: Engine, names: Sequence[str], *, caches: bool = False) -> None:
    """Drop the read-model tables (and with caches, the cache tables) and the tracking rows of
    the named projections."""
    tables = [*READ_MODEL_TABLES, *(CACHE_TABLES if caches else ())]
    metadata.drop_all(engine, tables=tables)
    with engine.begin() as connection:
        connection.execute(delete(projection_tracking).where(projection_tracking.c.name.in_(names)))


def checksum(engine: Engine) -> str:
    """A digest of every read-model row, in key order: equal tables give equal digests."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in READ_MODEL_TABLES:
            digest.update(table.name.encode())
            key = [c for c in table.primary_key.columns]
            for row in connection.execute(select(table).order_by(*key)):
                digest.update(repr(tuple(_canonical(v) for v in row)).encode())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.replace(tzinfo=None).isoformat() if value.tzinfo is None else value.isoformat()
    return value
