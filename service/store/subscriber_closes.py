"""The periods of a service SLA closed for at least one subscriber, one row per objective-period.

A service SLA's periods are closed per subscriber, each in its own stream
(agreement:<id>/customer:<customer>/objective:<objective>/period:<label>), so whether any
subscriber's period holding a reading is closed cannot be read from one stream name. The
``subscriber_closes`` table keeps (agreement, objective, period label) once, written in the
transaction that appends the first event (the PeriodClosed) of any subscriber's period stream:
the recorder finds such events by their stream name, whoever appends them. A late reading is
then one lookup per objective-period, whatever the number of subscribers. The table is
append-only, like the log it is derived from.
"""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier

SUBSCRIBER_CLOSES_TABLE = "subscriber_closes"
ClosedPeriod = tuple[str, str, str]  # (agreement id, objective id, period label)

_PARTS = ("agreement:", "customer:", "objective:", "period:")


def subscriber_period(stream: str) -> ClosedPeriod | None:
    """(agreement, objective, period label) of a subscriber's period stream; None for any
    other stream (identifiers hold no '/')."""
    if "/customer:" not in stream:
        return None
    parts = stream.split("/")
    if len(parts) != len(_PARTS) or not all(map(str.startswith, parts, _PARTS)):
        return None
    agreement, _, objective, label = (p[len(k) :] for p, k in zip(parts, _PARTS, strict=True))
    return agreement, objective, label


def closed_periods(stored_events: Iterable[StoredEvent]) -> list[ClosedPeriod]:
    """The rows an append adds: the subscribers' period streams its events begin."""
    rows = {
        period
        for event in stored_events
        if event.originator_version == 1
        and (period := subscriber_period(str(event.originator_id))) is not None
    }
    return sorted(rows)


# SQLite
SQLITE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {SUBSCRIBER_CLOSES_TABLE} (agreement_id TEXT NOT NULL, "
    "objective_id TEXT NOT NULL, period_label TEXT NOT NULL, "
    "PRIMARY KEY (agreement_id, objective_id, period_label)) WITHOUT ROWID"
)
SQLITE_INSERT = f"INSERT OR IGNORE INTO {SUBSCRIBER_CLOSES_TABLE} VALUES (?, ?, ?)"
SQLITE_SELECT = (
    f"SELECT 1 FROM {SUBSCRIBER_CLOSES_TABLE} "
    "WHERE agreement_id = ? AND objective_id = ? AND period_label = ?"
)


# PostgreSQL
def postgres_statements(schema: str) -> tuple[Composed, Composed, Composed]:
    """The statements creating the table, inserting rows (as arrays) and selecting one."""
    table = SQL("{}.{}").format(Identifier(schema), Identifier(SUBSCRIBER_CLOSES_TABLE))
    create = SQL(
        "CREATE TABLE IF NOT EXISTS {} (agreement_id text NOT NULL, objective_id text NOT NULL, "
        "period_label text NOT NULL, PRIMARY KEY (agreement_id, objective_id, period_label))"
    ).format(table)
    insert = SQL(
        "INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
        "ON CONFLICT DO NOTHING"
    ).format(table)
    select = SQL(
        "SELECT 1 FROM {} WHERE agreement_id = %s AND objective_id = %s AND period_label = %s"
    ).format(table)
    return create, insert, select
