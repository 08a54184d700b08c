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

from domain.agreement import Agreement
from domain.compliance_streams import results_before
from domain.identifiers import period_stream, subscription_stream
from service.store.event_limits import READ_CHUNK_BYTES
from service.store.ledger_recorder import LedgerRecorder


def notification_chunks(
    recorder: LedgerRecorder,
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
    sizes = recorder.stored_sizes(start, limit, agreement_id, topics)
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


def period_stream_names(
    recorder: LedgerRecorder, agreement_id: str, objective_ids: Iterable[str]
) -> list[str]:
    """The names of the agreement's period streams (one per closed objective-period), read
    from the stream-name index without the events."""
    ranges = []
    for objective_id in sorted(set(objective_ids)):
        low = period_stream(agreement_id, objective_id, "")
        ranges.append((low, low[:-1] + chr(ord(low[-1]) + 1)))
    return recorder.streams_begun(ranges)


def result_streams(
    recorder: LedgerRecorder, agreement_id: str, agreement: Agreement, as_of: datetime
) -> set[str]:
    """The agreement's period streams that may hold results of periods ended by as_of: found
    in the store (agreement is its newest state), not by walking every period from its start."""
    objective_ids = set(agreement.objective_ids)
    return results_before(period_stream_names(recorder, agreement_id, objective_ids), as_of)


def latest_close(
    recorder: LedgerRecorder, agreement_id: str, objective_id: str
) -> tuple[int, str] | None:
    """(log position, stream) of the objective's PeriodClosed recorded last, if any."""
    low = period_stream(agreement_id, objective_id, "")
    high = low[:-1] + chr(ord(low[-1]) + 1)
    return recorder.last_begun(low, high)


def subscription_streams(recorder: LedgerRecorder, agreement_id: str) -> list[str]:
    """The names of a service SLA's subscription streams (agreement:<id>/customer:<customer>,
    not the period streams below them), in name order, from the stream-name index."""
    low = subscription_stream(agreement_id, "")
    return recorder.first_level_streams(low, low[:-1] + chr(ord(low[-1]) + 1))
