"""Audit of the read models: rebuild them from the log in a scratch database, compare row by row.

The stored read models and their tracking positions are read in one snapshot (a repeatable read
transaction), so a server projecting meanwhile changes nothing the audit sees, and the scratch
copy is built up to exactly those positions: even rows that later events change (a breach marked
retracted) are compared exactly. The scratch copy has the schema of projections/tables.py on the
same kind of database (a temporary SQLite file, or PostgreSQL temporary tables), so both sides
store, order and return values alike. Both sides are streamed in primary-key order, in chunks.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Row, Table, create_engine, event, inspect, select, tuple_
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import String

from projections.runner import (
    BatchedProjectionRunner,
    LogEntry,
    LogReader,
    Projection,
    create_tables,
)
from projections.snapshots import read_snapshot
from projections.tables import CACHE_TABLES, READ_MODEL_TABLES, projection_tracking

CHUNK_ROWS = 200  # rows read at a time from each side (an encoded event can be large)
REPLAY_BATCH = 500


class Problem(StrEnum):
    """What is wrong with a stored row."""

    MISSING = "missing"  # the log gives this row; the table lacks it (or lacks the table)
    EXTRA = "extra"  # the table holds a row the log does not give
    CHANGED = "changed"  # the row's column holds another value than the log gives
    BEYOND_HEAD = "beyond_head"  # a tracking position lies beyond the last event of the log
    UNREPLAYABLE = "unreplayable"  # the event at the key's position cannot be projected


@dataclass(frozen=True)
class Difference:
    """The first stored row that is not what the log gives: its table and primary key."""

    table: str  # empty for an event of the log that cannot be projected
    key: Mapping[str, Any]
    problem: Problem
    column: str = ""  # the first column that differs, when changed
    detail: str = ""


@dataclass(frozen=True)
class Audit:
    """The outcome: the tracking position of each read model and the first difference."""

    positions: Mapping[str, int] = field(default_factory=dict)
    first_difference: Difference | None = None

    @property
    def ok(self) -> bool:
        """Whether every stored row is exactly what the log gives."""
        return self.first_difference is None

    @property
    def position(self) -> int:
        """The log position every read model reflects (each is compared at its own)."""
        return min(self.positions.values(), default=0)

    def summary(self) -> dict[str, Any]:
        """The outcome as JSON-ready values."""
        found = self.first_difference
        return {
            "ok": self.ok,
            "position": self.position,
            "positions": dict(self.positions),
            "first_difference": None
            if found is None
            else {
                "table": found.table,
                "key": dict(found.key),
                "problem": str(found.problem),
                "column": found.column,
                "detail": found.detail,
            },
        }


class AuditedProjection(Projection, Protocol):
    """A projection that names the tables it keeps."""

    tables: tuple[Table, ...]


def audit_read_models(
    live: Engine,
    read_log: LogReader,
    projections: Sequence[AuditedProjection],
    log_head: Callable[[], int],
) -> Audit:
    """Rebuild the projections from the log in a scratch database, each up to the tracking
    position stored for it, and compare every table they keep with the stored one."""
    _require_every_table(projections)
    names = [p.name for p in projections]
    with _scratch(live) as scratch:
        create_tables(scratch, names)
        # Most of the replay runs before the snapshot, so the snapshot is held only briefly
        # beyond the comparison itself; the replay then goes on to the snapshot's positions.
        with live.connect() as connection:
            early = _positions(connection, names) if _has(connection, projection_tracking) else {}
        head = log_head()
        for projection in projections:
            failure = _replay(
                scratch, read_log, projection, min(early.get(projection.name, 0), head)
            )
            if failure is not None:
                return Audit(early, failure)
        with read_snapshot(live) as connection:
            return _compare(connection, scratch, read_log, projections, log_head)


def _compare(
    connection: Connection,
    scratch: Engine,
    read_log: LogReader,
    projections: Sequence[AuditedProjection],
    log_head: Callable[[], int],
) -> Audit:
    if not _has(connection, projection_tracking):
        return Audit(
            {}, Difference(projection_tracking.name, {}, Problem.MISSING, detail=_NO_TABLE)
        )
    positions = _positions(connection, [p.name for p in projections])
    head = log_head()  # read after the positions: the log only grows
    for name, position in positions.items():
        if position > head:
            detail = f"tracking position {position}, last event of the log {head}"
            found = Difference(
                projection_tracking.name, {"name": name}, Problem.BEYOND_HEAD, "", detail
            )
            return Audit(positions, found)
    for projection in projections:
        failure = _replay(scratch, read_log, projection, positions[projection.name])
        if failure is not None:
            return Audit(positions, failure)
    with scratch.connect() as expected:
        for projection in projections:
            for table in projection.tables:
                if not _has(connection, table):
                    found = Difference(table.name, {}, Problem.MISSING, detail=_NO_TABLE)
                    return Audit(positions, found)
                difference = _first_difference(table, connection, expected)
                if difference is not None:
                    return Audit(positions, difference)
    return Audit(positions)


_NO_TABLE = "the table does not exist"


def _require_every_table(projections: Sequence[AuditedProjection]) -> None:
    kept = {table.name for projection in projections for table in projection.tables}
    unaudited = [t.name for t in (*READ_MODEL_TABLES, *CACHE_TABLES) if t.name not in kept]
    if unaudited:
        raise ValueError(f"no audited projection keeps {', '.join(unaudited)}")


def _positions(connection: Connection, names: Sequence[str]) -> dict[str, int]:
    """The tracking position of each projection (0 without a tracking row, as when created)."""
    c = projection_tracking.c
    stored = dict(connection.execute(select(c.name, c.position).where(c.name.in_(names))).all())
    return {name: int(stored.get(name, 0)) for name in names}


def _has(connection: Connection, table: Table) -> bool:
    # The inspector does not apply the engine's schema_translate_map: name the schema itself.
    translate = connection.get_execution_options().get("schema_translate_map") or {}
    return inspect(connection).has_table(table.name, schema=translate.get(None))


def _replay(
    scratch: Engine, read_log: LogReader, projection: AuditedProjection, target: int
) -> Difference | None:
    """Bring the scratch copy of a projection up to target; the event it cannot project."""
    bounded = _up_to(read_log, target)
    # On a failure, find the event: replay what is left one event at a time.
    with contextlib.suppress(Exception):
        BatchedProjectionRunner(scratch, bounded, projection, REPLAY_BATCH).catch_up()
    single = BatchedProjectionRunner(scratch, bounded, projection, 1)
    detail = "its rows conflict with rows projected before it"  # the runner's IntegrityError
    try:
        single.catch_up()
    except Exception as error:  # a stored event that cannot be decoded or projected
        detail = f"{type(error).__name__}: {error}"
    left = bounded(single.position(), 1)
    if not left:
        return None
    return Difference("", {"position": left[0].position}, Problem.UNREPLAYABLE, "", detail)


def _up_to(read_log: LogReader, target: int) -> LogReader:
    def read(after: int, limit: int) -> Sequence[LogEntry]:
        if after >= target:
            return []
        return [entry for entry in read_log(after, limit) if entry.position <= target]

    return read


def _first_difference(table: Table, stored: Connection, expected: Connection) -> Difference | None:
    """The first row, in primary-key order, where the stored table and the expected differ."""
    names = [column.name for column in table.primary_key.columns]
    at = _key_indexes(table)
    stored_rows, expected_rows = _rows(stored, table), _rows(expected, table)
    have, want = next(stored_rows, None), next(expected_rows, None)
    while have is not None or want is not None:
        have_key = None if have is None else tuple(have[i] for i in at)
        want_key = None if want is None else tuple(want[i] for i in at)
        if want_key is None or (have_key is not None and have_key < want_key):
            return Difference(
                table.name, dict(zip(names, have_key or (), strict=True)), Problem.EXTRA
            )
        if have_key is None or want_key < have_key:
            return Difference(table.name, dict(zip(names, want_key, strict=True)), Problem.MISSING)
        for column, stored_value, expected_value in zip(
            table.columns, have or (), want or (), strict=True
        ):
            if stored_value != expected_value:
                key = dict(zip(names, have_key, strict=True))
                return Difference(table.name, key, Problem.CHANGED, column.name)
        have, want = next(stored_rows, None), next(expected_rows, None)
    return None


def _key_indexes(table: Table) -> list[int]:
    columns = list(table.columns.keys())
    return [columns.index(column.name) for column in table.primary_key.columns]


def _rows(connection: Connection, table: Table) -> Iterator[Row[Any]]:
    """Every row of a table in primary-key order, read CHUNK_ROWS at a time (keyset paging)."""
    key = [_in_code_point_order(c, connection) for c in table.primary_key.columns]
    at = _key_indexes(table)
    after: tuple[Any, ...] | None = None
    while True:
        query = select(table).order_by(*key).limit(CHUNK_ROWS)
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(*after))
        rows = connection.execute(query).all()
        yield from rows
        if len(rows) < CHUNK_ROWS:
            return
        after = tuple(rows[-1][i] for i in at)


def _in_code_point_order(column: Any, connection: Connection) -> ColumnElement[Any]:
    # Python compares strings by code point, as SQLite's binary collation and PostgreSQL's "C"
    # collation on UTF-8 do; the database's default collation may order them otherwise.
    if connection.dialect.name == "postgresql" and isinstance(column.type, String):
        return column.collate("C")  # type: ignore[no-any-return]
    return column  # type: ignore[no-any-return]


@contextmanager
def _scratch(live: Engine) -> Iterator[Engine]:
    """An empty database of the live one's kind that shares no table with it."""
    if live.dialect.name == "postgresql":
        # Temporary tables are private to one session (hence one connection) and vanish with it.
        temporary = create_engine(live.url, poolclass=StaticPool)
        try:
            yield temporary.execution_options(schema_translate_map={None: "pg_temp"})
        finally:
            temporary.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="sla-ledger-audit-") as directory:
        engine = create_engine(URL.create("sqlite", database=str(Path(directory) / "audit.db")))
        event.listen(engine, "connect", _without_sync)
        try:
            yield engine
        finally:
            engine.dispose()


def _without_sync(dbapi_connection: Any, _record: Any) -> None:
    # A scratch file thrown away afterwards need not survive a crash.
    dbapi_connection.execute("PRAGMA synchronous = OFF")
