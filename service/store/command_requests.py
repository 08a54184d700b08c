"""Client request ids: what makes a command safe to retry.

The ``command_requests`` table keeps, per request id, the command's method and content
fingerprint, the first and last log positions it appended, how many events that was, and the
small outcome its reply reports (e.g. whether more periods are due), written in the command's
own transaction. A retry builds the same small reply from that row without reading every event
the command appended. Rows written before the count and the outcome were kept have them NULL;
the columns are added to such a table when the server starts.

A request id belongs to its caller: with tokens configured, to the token (its name), so one
tenant can never make another's retries fail; without tokens every caller shares one scope,
because callers are not told apart (a peer address changes with every connection, so scoping by
it would break the very retries ids exist for). The store keys a request by `key`: the bare id
in the shared scope, as ledgers written before scoping stored every id, and `<token>/<id>` for a
token (request ids never hold a '/', so no two callers' keys can meet).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from google.protobuf.message import Message
from psycopg.sql import SQL, Composed, Identifier, Literal

COMMAND_REQUESTS_TABLE = "command_requests"
SCOPE_SEPARATOR = "/"
_COLUMNS = "request_id, method, fingerprint, first_position, last_position, appended_count, outcome"


@dataclass(frozen=True)
class CommandRequest:
    """A command call that carries a client request id, and what its reply will report."""

    request_id: str
    method: str
    fingerprint: bytes  # of the request's content, the id left out
    outcome: Mapping[str, int] = field(default_factory=dict)
    scope: str = ""  # the caller's token name; empty for the shared scope of a no-token server

    @property
    def key(self) -> str:
        """How the store keys this request: the id within its caller's scope."""
        return f"{self.scope}{SCOPE_SEPARATOR}{self.request_id}" if self.scope else self.request_id


@dataclass(frozen=True)
class CommandRecord:
    """A command the ledger carried out for a request id: the positions it appended, how many
    events (None for rows kept before counts were) and its outcome."""

    request: CommandRequest
    first_position: int
    last_position: int
    appended_count: int | None = None

    def same_call(self, request: CommandRequest) -> bool:
        """Whether request is a retry of this command (same method and content)."""
        return (self.request.method, self.request.fingerprint) == (
            request.method,
            request.fingerprint,
        )


class RequestCarriedOutError(Exception):
    """A call with this request id was carried out already (perhaps concurrently)."""

    def __init__(self, record: CommandRecord) -> None:
        super().__init__(f"request {record.request.request_id} was carried out already")
        self.record = record


def command_request(method: str, message: Message, scope: str = "") -> CommandRequest | None:
    """The request id of a command message, in the caller's scope, with its fingerprint; None
    without an id."""
    request_id = getattr(message, "request_id", "")
    if not request_id:
        return None
    content = type(message)()
    content.CopyFrom(message)
    content.ClearField("request_id")
    fingerprint = hashlib.sha256(content.SerializeToString(deterministic=True)).digest()
    return CommandRequest(request_id, method, fingerprint, scope=scope)


def with_outcome(request: CommandRequest | None, **outcome: int) -> CommandRequest | None:
    """The request with the outcome its reply reports, kept with its record for retries."""
    return None if request is None else replace(request, outcome=outcome)


def request_row(request: CommandRequest, positions: Sequence[int]) -> tuple[Any, ...]:
    """The row recording that request appended the events at positions."""
    outcome = json.dumps(dict(request.outcome), sort_keys=True) if request.outcome else None
    return (
        request.key,
        request.method,
        request.fingerprint,
        min(positions),
        max(positions),
        len(positions),
        outcome,
    )


def record_of(key: str, row: Sequence[Any]) -> CommandRecord:
    """The record of the row stored under a request key (method, fingerprint, first, last,
    count, outcome)."""
    method, fingerprint, first, last, count, outcome = row
    request = CommandRequest(key, method, bytes(fingerprint), json.loads(outcome or "{}"))
    return CommandRecord(request, first, last, count)


# SQLite
SQLITE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {COMMAND_REQUESTS_TABLE} (request_id TEXT PRIMARY KEY, "
    "method TEXT NOT NULL, fingerprint BLOB NOT NULL, first_position INTEGER NOT NULL, "
    "last_position INTEGER NOT NULL, appended_count INTEGER, outcome TEXT) WITHOUT ROWID"
)
SQLITE_INSERT = f"INSERT INTO {COMMAND_REQUESTS_TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
SQLITE_SELECT = (
    "SELECT method, fingerprint, first_position, last_position, appended_count, outcome "
    f"FROM {COMMAND_REQUESTS_TABLE} WHERE request_id = ?"
)


def sqlite_add_columns(cursor: Any) -> None:
    """Add the count and outcome columns to a table created before they existed."""
    cursor.execute(f"PRAGMA table_info({COMMAND_REQUESTS_TABLE})")
    present = {row[1] for row in cursor.fetchall()}
    for column, kind in (("appended_count", "INTEGER"), ("outcome", "TEXT")):
        if column not in present:
            cursor.execute(f"ALTER TABLE {COMMAND_REQUESTS_TABLE} ADD COLUMN {column} {kind}")


# PostgreSQL
def postgres_statements(schema: str) -> tuple[list[Composed], Composed, Composed]:
    """The statements creating (and completing) the table, inserting a row and selecting one."""
    table = Identifier(COMMAND_REQUESTS_TABLE)
    schema_id = Identifier(schema)
    create = SQL(
        "CREATE TABLE IF NOT EXISTS {}.{} (request_id text PRIMARY KEY, method text NOT NULL, "
        "fingerprint bytea NOT NULL, first_position bigint NOT NULL, last_position bigint NOT "
        "NULL, appended_count bigint, outcome text)"
    ).format(schema_id, table)
    # Only when missing: ALTER TABLE locks the table even when the column exists.
    add_columns = SQL(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE "
        "table_schema = {} AND table_name = {} AND column_name = 'appended_count') THEN "
        "ALTER TABLE {}.{} ADD COLUMN appended_count bigint, ADD COLUMN outcome text; "
        "END IF; END $$"
    ).format(Literal(schema), Literal(COMMAND_REQUESTS_TABLE), schema_id, table)
    insert = SQL("INSERT INTO {}.{} (" + _COLUMNS + ") VALUES (%s, %s, %s, %s, %s, %s, %s)").format(
        schema_id, table
    )
    select = SQL(
        "SELECT method, fingerprint, first_position, last_position, appended_count, outcome "
        "FROM {}.{} WHERE request_id = %s"
    ).format(schema_id, table)
    return [create, add_columns], insert, select
