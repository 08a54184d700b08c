"""Reading the log in pieces that fit in memory: positions and sizes first, then rows in chunks.

A page of up to 1,000 events could otherwise load 1,000 of the largest events at once. The sizes
of the stored states come from the database without their content (SQLite's length() of a blob
and PostgreSQL's octet_length() of a TOASTed value read only the length), and the rows are then
fetched a chunk of at most READ_CHUNK_BYTES (or one row) at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from eventsourcing.persistence import Notification
from psycopg.sql import SQL, Composable, Identifier

from domain.agreement import Agreement
from domain.compliance_streams import results_before
from domain.identifiers import agreement_stream, measurement_stream_prefix, period_stream
from service.store.event_limits import READ_CHUNK_BYTES
from service.store.recorders import LedgerPostgresRecorder, LedgerSQLiteRecorder

Recorder = LedgerSQLiteRecorder | LedgerPostgresRecorder


def _name_range(agreement_id: str) -> tuple[str, str, str]:
    """The agreement's stream and the range [low, high) of its other streams' names."""
    prefix = measurement_stream_prefix(agreement_id)
    return agreement_stream(agreement_id), prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def stored_sizes(
    recorder: Recorder, start: int, limit: int, agreement_id: str = "", topics: Sequence[str] = ()
) -> list[tuple[int, int]]:
    """(position, bytes of the stored state) of up to limit events from position start, of one
    agreement ('' for all) and of some topics (none for all), in log order."""
    if isinstance(recorder, LedgerSQLiteRecorder):
        return _sqlite_sizes(recorder, start, limit, agreement_id, topics)
    return _postgres_sizes(recorder, start, limit, agreement_id, topics)


def _sqlite_sizes(
    recorder: LedgerSQLiteRecorder,
    start: int,
    limit: int,
    agreement_id: str,
    topics: Sequence[str],
) -> list[tuple[int, int]]:
    where, params = "+rowid >= ?", [start]  # + keeps the rowid index out of a filtered read
    if not agreement_id and not topics:
        where = "rowid >= ?"
    if agreement_id:
        own, low, high = _name_range(agreement_id)
        where += " AND (originator_id = ? OR (originator_id >= ? AND originator_id < ?))"
        params += [own, low, high]  # type: ignore[list-item]
    if topics:
        where += f" AND topic IN ({','.join('?' * len(topics))})"
        params += list(topics)  # type: ignore[arg-type]
    statement = (
        f"SELECT rowid, length(state) FROM {recorder.events_table_name} "
        f"WHERE {where} ORDER BY rowid LIMIT ?"
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, [*params, limit])
        return [(row[0], row[1] or 0) for row in c.fetchall()]


def _postgres_sizes(
    recorder: LedgerPostgresRecorder,
    start: int,
    limit: int,
    agreement_id: str,
    topics: Sequence[str],
) -> list[tuple[int, int]]:
    where: Composable = SQL("notification_id >= %s")
    params: list[object] = [start]
    if agreement_id:
        where += SQL(
            ' AND (originator_id COLLATE "C" = %s OR (originator_id COLLATE "C" >= %s '
            'AND originator_id COLLATE "C" < %s))'
        )
        params += list(_name_range(agreement_id))
    if topics:
        where += SQL(" AND topic = ANY(%s)")
        params.append(list(topics))
    statement = SQL(
        "SELECT notification_id, octet_length(state) AS size FROM {}.{} WHERE {} "
        "ORDER BY notification_id LIMIT %s"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name), where)
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(statement, [*params, limit])
        return [(row["notification_id"], row["size"] or 0) for row in curs.fetchall()]


def notification_chunks(
    recorder: Recorder,
    start: int,
    limit: int,
    agreement_id: str = "",
    topics: Sequence[str] = (),
    chunk_bytes: int = READ_CHUNK_BYTES,
) -> Iterator[list[Notification]]:
    """Up to limit notifications from position start, of one agreement ('' for all) or else of
    some topics (none for all), in log order, in chunks of at most chunk_bytes of stored state
    (or one notification)."""
    if agreement_id and topics:
        raise ValueError("an agreement's notifications are read whatever their topic")
    sizes = stored_sizes(recorder, start, limit, agreement_id, topics)
    low = 0
    while low < len(sizes):
        high, used = low + 1, sizes[low][1]
        while high < len(sizes) and used + sizes[high][1] <= chunk_bytes:
            used += sizes[high][1]
            high += 1
        first, last = sizes[low][0], sizes[high - 1][0]
        if agreement_id:
            chunk = recorder.select_agreement_notifications(agreement_id, first, high - low)
        else:
            chunk = list(
                recorder.select_notifications(
                    start=first, limit=high - low, stop=last, topics=topics
                )
            )
        yield [n for n in chunk if n.id <= last]
        low = high


def count_between(recorder: Recorder, first: int, last: int) -> int:
    """How many events the log holds at positions first to last."""
    if isinstance(recorder, LedgerSQLiteRecorder):
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT COUNT(*) FROM {recorder.events_table_name} WHERE rowid BETWEEN ? AND ?",
                (first, last),
            )
            return int(c.fetchone()[0])
    statement = SQL(
        "SELECT COUNT(*) AS count FROM {}.{} WHERE notification_id BETWEEN %s AND %s"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(statement, (first, last))
        row = curs.fetchone()
        return int(row["count"]) if row else 0


def period_stream_names(
    recorder: Recorder, agreement_id: str, objective_ids: Iterable[str]
) -> list[str]:
    """The names of the agreement's period streams (one per closed objective-period), read
    from the stream-name index without the events."""
    ranges = []
    for objective_id in sorted(set(objective_ids)):
        low = period_stream(agreement_id, objective_id, "")
        ranges.append((low, low[:-1] + chr(ord(low[-1]) + 1)))
    names: list[str] = []
    if isinstance(recorder, LedgerSQLiteRecorder):
        statement = (
            f"SELECT originator_id FROM {recorder.events_table_name} "
            "WHERE originator_id >= ? AND originator_id < ? AND originator_version = 1"
        )
        with recorder.datastore.transaction(commit=False) as c:
            for low, high in ranges:
                c.execute(statement, (low, high))
                names.extend(row[0] for row in c.fetchall())
        return names
    query = SQL(
        'SELECT originator_id FROM {}.{} WHERE originator_id COLLATE "C" >= %s '
        'AND originator_id COLLATE "C" < %s AND originator_version = 1'
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as curs:
        for low, high in ranges:
            curs.execute(query, (low, high))
            names.extend(row["originator_id"] for row in curs.fetchall())
    return names


def result_streams(
    recorder: Recorder, agreement_id: str, agreement: Agreement, as_of: datetime
) -> set[str]:
    """The agreement's period streams that may hold results of periods ended by as_of: found
    in the store (agreement is its newest state), not by walking every period from its start."""
    objective_ids = set(agreement.objective_ids)
    return results_before(period_stream_names(recorder, agreement_id, objective_ids), as_of)


def latest_close(
    recorder: Recorder, agreement_id: str, objective_id: str
) -> tuple[int, str] | None:
    """(log position, stream) of the objective's PeriodClosed recorded last, if any."""
    low = period_stream(agreement_id, objective_id, "")
    high = low[:-1] + chr(ord(low[-1]) + 1)
    if isinstance(recorder, LedgerSQLiteRecorder):
        table = recorder.events_table_name
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_id, rowid FROM {table} WHERE rowid = (SELECT MAX(rowid) "
                f"FROM {table} WHERE originator_id >= ? AND originator_id < ? "
                "AND originator_version = 1)",
                (low, high),
            )
            row = c.fetchone()
        return None if row is None else (row[1], row[0])
    events = SQL("{}.{}").format(
        Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
    )
    query = SQL(
        "SELECT originator_id, notification_id FROM {} WHERE notification_id = (SELECT "
        'MAX(notification_id) FROM {} WHERE originator_id COLLATE "C" >= %s '
        'AND originator_id COLLATE "C" < %s AND originator_version = 1)'
    ).format(events, events)
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(query, (low, high))
        found = curs.fetchone()
    return None if found is None else (found["notification_id"], found["originator_id"])
