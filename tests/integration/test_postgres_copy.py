"""Events with large states written by binary COPY on PostgreSQL (service/store/postgres_copy.py):
stored byte for byte at positions in the order of their commits, refused whole on a conflict,
and compressed with lz4."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.postgres_copy import COPY_FROM_BYTES, worth_copying
from service.store.postgres_recorder import LedgerPostgresRecorder
from service.store.storage import parse_database_url

TOPIC = "tests.copy:Written"


@pytest.fixture
def app(postgres_database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(postgres_database_url))
    yield application
    application.close()


def recorder_of(app: LedgerApplication) -> LedgerPostgresRecorder:
    recorder = app.ledger_recorder
    assert isinstance(recorder, LedgerPostgresRecorder)
    return recorder


def large_events(stream: str, versions: Iterable[int]) -> list[StoredEvent]:
    # Random bytes, so neither compression nor a text form could hide a changed byte.
    return [StoredEvent(stream, v, TOPIC, os.urandom(COPY_FROM_BYTES)) for v in versions]


def small_event(stream: str, version: int) -> StoredEvent:
    return StoredEvent(stream, version, TOPIC, b'{"small": true}')


def test_events_with_large_states_are_the_ones_copied() -> None:
    assert worth_copying(large_events("s", range(1, 2)))
    assert not worth_copying([small_event("s", 1)])


def test_copied_events_are_read_back_byte_for_byte_at_the_positions_returned(
    app: LedgerApplication,
) -> None:
    recorder = recorder_of(app)
    events = large_events("copied", range(1, 4))

    positions = recorder.insert_events(events)

    stored = recorder.select_notifications(start=1, limit=10)
    assert list(positions or ()) == [n.id for n in stored]
    assert [(n.originator_id, n.originator_version, n.state) for n in stored] == [
        (e.originator_id, e.originator_version, e.state) for e in events
    ]


def test_copied_and_inserted_appends_take_positions_in_the_order_they_commit(
    app: LedgerApplication,
) -> None:
    recorder = recorder_of(app)

    first = recorder.insert_events([small_event("small", 1)])
    second = recorder.insert_events(large_events("large", range(1, 3)))
    third = recorder.insert_events([small_event("small", 2)])

    assert [*(first or ()), *(second or ()), *(third or ())] == [1, 2, 3, 4]
    assert [n.originator_id for n in recorder.select_notifications(start=1, limit=10)] == [
        "small",
        "large",
        "large",
        "small",
    ]


def test_a_copied_append_that_repeats_a_stored_version_is_refused_whole(
    app: LedgerApplication,
) -> None:
    recorder = recorder_of(app)
    recorder.insert_events(large_events("stream", range(1, 2)))

    with pytest.raises(IntegrityError):
        recorder.insert_events(large_events("stream", range(2, 4)) + large_events("stream", [1]))

    assert [n.originator_version for n in recorder.select_notifications(start=1, limit=10)] == [1]
    assert app.audit.verify_ledger().ok


def test_the_events_states_are_compressed_with_lz4(app: LedgerApplication) -> None:
    recorder = recorder_of(app)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'state'",
            (f'"{recorder.datastore.schema}"."{recorder.events_table_name}"',),
        )
        row = cursor.fetchone()

    assert row is not None and row["attcompression"] == "l"
