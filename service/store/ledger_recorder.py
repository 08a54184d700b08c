"""The ledger's event recorder in either dialect: one append algorithm and the ledger's queries,
over the statements a dialect module gives (service/store/sqlite_recorder.py,
service/store/postgres_recorder.py).

The ``measurement_keys`` table holds one 128-bit key per recorded reading. It is written in
the transaction that appends the reading's MetricMeasured event, and its primary key makes a
second recording of the same reading fail, whatever the concurrency: deduplication is enforced
by the store, not only by code. Keys are kept for readings with a client id only.

A reading identified by its time slice belongs to exactly one objective-day stream, and the
stream's version check serialises every writer of that stream. The ``measured_spans`` table holds
the first and last such instant of each MetricMeasured event, written with it, so a batch finds
the events whose readings it may repeat and decodes only those. (Keys of time-slice readings
recorded before this table existed stay in the key index and are still looked up.)
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from domain.identifiers import agreement_stream
from projections.tracing_spans import child_span, span
from service.store.case_index import CaseRow, row_of
from service.store.chain_sql import ChainSQL, values
from service.store.chain_store import adopt, chain_head, chain_inserted, check_before_append
from service.store.command_requests import CommandRecord, CommandRequest, record_of, request_row
from service.store.group_commit import GroupCommit
from service.store.ledger_chain import Adoption, Digest
from service.store.measurement_keys import KeySpan, key_spans
from service.store.subscriber_closes import closed_periods

# (stream, version, first instant, last instant) of a MetricMeasured event's time-slice readings.
MeasuredSpan = tuple[str, int, int, int]


@dataclass(frozen=True)
class AppendExtras:
    """What an append writes beside its events, in the same transaction."""

    measurement_keys: Sequence[bytes] = ()  # of the new readings with a client id
    measured_spans: Sequence[MeasuredSpan] = ()
    command_request: CommandRequest | None = None  # kept only when events are appended
    case_rows: Sequence[CaseRow] = ()  # one per case the events touch, replacing its row


NO_EXTRAS = AppendExtras()


@dataclass(frozen=True)
class LedgerStatements:
    """The ledger's own statements in one dialect: what each takes, and what its rows hold."""

    insert_keys: Any  # rows of (key)
    insert_spans: Any  # rows of MeasuredSpan
    insert_request: Any  # request_row(...)
    select_request: Any  # (key) -> method, fingerprint, first, last, count, outcome
    select_key_span: Any  # (low, high, limit) -> key
    select_keys: Any  # among keys -> key
    select_spanning: Any  # (stream, first, last) -> topic, state, originator_version
    select_heads: Any  # among streams -> stream, last version
    select_streams: Any  # among streams, excluding positions -> events with their positions
    select_agreement: Any  # (agreement stream, low, high, start, limit) -> events, positions
    count_between: Any  # (first, last) -> how many events
    select_begun: Any  # (low, high) -> names of the streams begun in [low, high)
    select_last_begun: Any  # (low, high) -> name, position of the one begun last
    select_first_level: Any  # {low, high, after, length} -> names directly below low
    upsert_cases: Any  # rows of CaseRow.as_values()
    select_case_candidates: Any  # (agreement, after, cutoff, start, known_at, limit) -> case_id
    select_cases: Any  # (agreement, after, limit) -> the rows' columns
    insert_closes: Any  # rows of (agreement, objective, period label)
    select_closed: Any  # (agreement, objective, period label) -> a row when closed


def agreement_streams(agreement_id: str) -> tuple[str, str, str]:
    """The agreement's stream and the range [low, high) of its other streams' names (its
    measurement, period and case streams: every name the agreement's stream name begins,
    followed by '/'; identifiers hold no '/')."""
    own = agreement_stream(agreement_id)
    return own, f"{own}/", f"{own}0"  # '0' follows '/'


def _span_limit(span: KeySpan) -> int:
    # A range read never costs much more than looking the span's keys up one by one.
    return 2 * len(span.keys) + 1


def _sort_span(
    span: KeySpan, in_span: list[bytes], found: set[bytes], scattered: list[bytes]
) -> None:
    """Add the span's keys its range read found to found; when the read hit its limit (the span
    is crowded with other readings) leave its keys to be looked up one by one instead."""
    if len(in_span) < _span_limit(span):
        found.update(set(span.keys).intersection(in_span))
    else:
        scattered.extend(span.keys)


def _as_bytes(state: Any) -> bytes:
    """A stored state as bytes, even if someone wrote another type into the column."""
    return state.encode() if isinstance(state, str) else bytes(state)


class LedgerRecorder(ApplicationRecorder):
    """An event recorder that keeps the measurement-key index, the measured spans, the hash
    chain and the request ids in each append's transaction, and answers the ledger's queries."""

    events_table_name: str
    chain_sql: ChainSQL
    ledger_sql: LedgerStatements
    # Whether the write lock is taken at the first write (SQLite's deferred BEGIN), so that the
    # chain is checked after it; otherwise the table is locked and the chain checked first.
    locks_at_first_write: bool
    # Whether an append of no events still opens its transaction and checks the chain (SQLite,
    # as the library's recorder does), rather than returning at once (PostgreSQL).
    empty_appends_checked: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The queue that lets concurrent appends share a transaction and its commit.
        self.group_commit = GroupCommit(lambda: self._transaction(commit=True), self._savepoint)
        super().__init__(*args, **kwargs)

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        extras: AppendExtras = NO_EXTRAS,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Append events and their extras, all or nothing, committed (perhaps in one
        transaction with concurrent appends: service/store/group_commit.py); their positions."""
        if not stored_events and not self.empty_appends_checked:
            return []
        with span("ledger.store.append", events=len(stored_events)):
            return self.group_commit.run(lambda c: self._append(c, stored_events, extras))

    def _append(
        self, c: Any, stored_events: Sequence[StoredEvent], extras: AppendExtras
    ) -> list[int]:
        """Write one append's events and extras in the open transaction; their positions."""
        head: Digest | None = None
        if not self.locks_at_first_write:
            self._lock_for_writes(c)
            # Holding the table lock: nothing can append between this check and the chain.
            head = check_before_append(c, self.chain_sql)
        if extras.measurement_keys:
            self._insert_many(
                c, self.ledger_sql.insert_keys, [(k,) for k in extras.measurement_keys]
            )
        if extras.measured_spans:
            self._insert_many(c, self.ledger_sql.insert_spans, extras.measured_spans)
        positions = self._insert_rows(c, stored_events)
        if closes := closed_periods(stored_events):
            self._insert_many(c, self.ledger_sql.insert_closes, closes)
        if extras.case_rows:
            self._insert_many(
                c, self.ledger_sql.upsert_cases, [r.as_values() for r in extras.case_rows]
            )
        if head is None:
            # Checked after the first write: a deferred transaction that reads first cannot
            # take the write lock once another writer has committed (SQLITE_BUSY, no
            # waiting). From the first write on it holds the lock: nothing can append in
            # between.
            head = check_before_append(c, self.chain_sql, before=min(positions, default=1))
        chain_inserted(c, self.chain_sql, head, stored_events, positions)
        request = extras.command_request
        if request is not None and positions:
            c.execute(self.ledger_sql.insert_request, request_row(request, positions))
        self._appended(c)
        return positions

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """One stream's events (the library's read of an aggregate), in a span."""
        with child_span("ledger.store.select_events"):
            return super().select_events(  # type: ignore[safe-super]
                originator_id, gt=gt, lte=lte, desc=desc, limit=limit
            )

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """A stretch of the log (the library's read), in a span."""
        with child_span("ledger.store.select_notifications", limit=limit):
            return super().select_notifications(  # type: ignore[safe-super]
                start, limit, stop, topics, inclusive_of_start=inclusive_of_start
            )

    def command_record(self, key: str) -> CommandRecord | None:
        """What the command stored under this request key appended, if one was carried out."""
        with self._transaction(commit=False) as c:
            c.execute(self.ledger_sql.select_request, (key,))
            row = c.fetchone()
        return None if row is None else record_of(key, values(row))

    def chain_head(self) -> Digest:
        """The ledger's digest: its last chained position and hash."""
        with self._transaction(commit=False) as c:
            return chain_head(c, self.chain_sql)

    def adopt_chain(self, by: str, at: datetime) -> Adoption:
        """Chain a log written before the chain existed, once, recording who did it and when."""
        with self._transaction(commit=True) as c:
            self._lock_for_writes(c)
            return adopt(c, self.chain_sql, by, at)

    def recorded_keys(self, keys: Sequence[bytes]) -> set[bytes]:
        """Those of keys already in the measurement-key index."""
        spans, scattered = key_spans(keys)
        found: set[bytes] = set()
        with self._transaction(commit=False) as c:
            for span in spans:
                c.execute(self.ledger_sql.select_key_span, (span.low, span.high, _span_limit(span)))
                _sort_span(span, [bytes(row["key"]) for row in c.fetchall()], found, scattered)
            if scattered:
                rows = self._rows_among(c, self.ledger_sql.select_keys, scattered)
                found.update(bytes(row["key"]) for row in rows)
        return found

    def events_spanning(self, spans: Mapping[str, tuple[int, int]]) -> list[StoredEvent]:
        """The events of each stream whose time-slice readings span into its (first, last)."""
        found: list[StoredEvent] = []
        with self._transaction(commit=False) as c:
            for stream, (first, last) in spans.items():
                c.execute(self.ledger_sql.select_spanning, (stream, first, last))
                found.extend(
                    StoredEvent(stream, version, topic, _as_bytes(state))
                    for topic, state, version in map(values, c.fetchall())
                )
        return found

    def stream_heads(self, stream_ids: Sequence[str]) -> dict[str, int]:
        """The last version of each of the streams that has events."""
        with self._transaction(commit=False) as c:
            rows = self._rows_among(c, self.ledger_sql.select_heads, stream_ids)
            return {stream: head for stream, head in map(values, rows)}

    def select_stream_notifications(
        self, stream_ids: Sequence[str], excluding: Collection[int] = ()
    ) -> list[Notification]:
        """Notifications of the named streams but those at the excluded positions, in log order."""
        with (
            child_span("ledger.store.select_stream_notifications", streams=len(stream_ids)),
            self._transaction(commit=False) as c,
        ):
            rows = self._rows_among(
                c, self.ledger_sql.select_streams, stream_ids, sorted(excluding)
            )
            found = [self._notification(row) for row in rows]
        return sorted(found, key=lambda n: n.id)

    def select_agreement_notifications(
        self, agreement_id: str, start: int, limit: int
    ) -> list[Notification]:
        """Notifications of one agreement's streams from position start, in log order."""
        own, low, high = agreement_streams(agreement_id)
        with (
            child_span("ledger.store.select_agreement_notifications", limit=limit),
            self._transaction(commit=False) as c,
        ):
            # Ranges of the stream-name index, not a scan of the whole log.
            c.execute(self.ledger_sql.select_agreement, [own, low, high, start, limit])
            return [self._notification(row) for row in c.fetchall()]

    def count_between(self, first: int, last: int) -> int:
        """How many events the log holds at positions first to last."""
        with self._transaction(commit=False) as c:
            c.execute(self.ledger_sql.count_between, (first, last))
            row = c.fetchone()
            return int(values(row)[0]) if row else 0

    def streams_begun(self, ranges: Iterable[tuple[str, str]]) -> list[str]:
        """The names of the streams begun (at version 1) within each name range [low, high),
        read from the stream-name index without the events."""
        names: list[str] = []
        with self._transaction(commit=False) as c:
            for low, high in ranges:
                c.execute(self.ledger_sql.select_begun, (low, high))
                names.extend(values(row)[0] for row in c.fetchall())
        return names

    def first_level_streams(self, low: str, high: str) -> list[str]:
        """The names in [low, high) of the streams with no '/' after low (a service's
        subscriptions, not the streams nested below them), in name order: a skip scan of the
        stream-name index, two seeks a name whatever the nested streams hold."""
        params = {"low": low, "high": high, "after": len(low) + 1, "length": len(low)}
        with self._transaction(commit=False) as c:
            c.execute(self.ledger_sql.select_first_level, params)
            return [str(values(row)[0]) for row in c.fetchall()]

    def last_begun(self, low: str, high: str) -> tuple[int, str] | None:
        """(log position, name) of the stream of the name range [low, high) begun last, if any."""
        with self._transaction(commit=False) as c:
            c.execute(self.ledger_sql.select_last_begun, (low, high))
            row = c.fetchone()
        if row is None:
            return None
        name, position = values(row)
        return position, name

    def closed_for_a_subscriber(
        self, agreement_id: str, periods: Iterable[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Those of the (objective, period label) pairs of a service SLA whose period was closed
        for at least one subscriber (service/store/subscriber_closes.py)."""
        found: set[tuple[str, str]] = set()
        with self._transaction(commit=False) as c:
            for objective_id, label in periods:
                c.execute(self.ledger_sql.select_closed, (agreement_id, objective_id, label))
                if c.fetchone() is not None:
                    found.add((objective_id, label))
        return found

    def case_candidates(
        self,
        agreement_id: str,
        start_us: int,
        cutoff_us: int,
        known_at_us: int,
        after: str = "",
        limit: int = 1000,
    ) -> list[str]:
        """Up to limit ids (after the id after, in id order) of the agreement's cases that may
        be judged in a window [start_us, cutoff_us) as known at known_at_us (case_index.py)."""
        with self._transaction(commit=False) as c:
            c.execute(
                self.ledger_sql.select_case_candidates,
                (agreement_id, after, cutoff_us, start_us, known_at_us, limit),
            )
            return [str(values(row)[0]) for row in c.fetchall()]

    def case_rows(self, agreement_id: str, after: str = "", limit: int = 1000) -> list[CaseRow]:
        """Up to limit index rows of the agreement's cases after the id after, in id order."""
        with self._transaction(commit=False) as c:
            c.execute(self.ledger_sql.select_cases, (agreement_id, after, limit))
            return [row_of(values(row)) for row in c.fetchall()]

    @abstractmethod
    def stored_sizes(
        self, start: int, limit: int, agreement_id: str = "", topics: Sequence[str] = ()
    ) -> list[tuple[int, int]]:
        """(position, bytes of the stored state) of up to limit events from position start, of
        one agreement ('' for all) and of some topics (none for all), in log order."""

    # What each dialect supplies beside its statements.

    @abstractmethod
    def _transaction(self, commit: bool) -> AbstractContextManager[Any]:
        """A transaction of the datastore, giving its cursor."""

    @abstractmethod
    def _savepoint(self, c: Any) -> AbstractContextManager[None]:
        """One append's savepoint in a group's transaction (service/store/savepoints.py)."""

    @abstractmethod
    def _lock_for_writes(self, c: Any) -> None:
        """Serialise appends from here to the commit (where the dialect needs it said)."""

    @abstractmethod
    def _insert_many(self, c: Any, statement: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Run an insert statement for every row, in one round trip where the dialect can."""

    @abstractmethod
    def _insert_rows(self, c: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert the events into the events table; their positions."""

    @abstractmethod
    def _appended(self, c: Any) -> None:
        """Whatever tells readers an append is committing (nothing, for some dialects)."""

    @abstractmethod
    def _rows_among(
        self, c: Any, statement: Any, among: Sequence[Any], *more: Sequence[Any]
    ) -> list[Any]:
        """The rows of a statement over a list of values (and further lists)."""

    @abstractmethod
    def _notification(self, row: Any) -> Notification:
        """The notification an events-table row with its position holds."""
