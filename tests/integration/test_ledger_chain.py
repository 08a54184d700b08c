"""Tamper evidence: the hash chain catches every change made to the database directly, and no
append ever adopts a row the chain does not cover."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from domain.exclusions import Exclusion, ExclusionKind
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.chain_store import LedgerTamperedError
from service.store.ledger_chain import GENESIS, ChainedEvent, Digest, extend
from service.store.log_reader import POSTGRES_EVENTS_TABLE, SQLITE_EVENTS_TABLE, open_log_reader
from service.store.storage import parse_database_url
from tests.concurrency import run_concurrently
from tests.integration.conftest import SIGNED_AT
from tests.integration.tampering import Ledger, verify_command


@pytest.fixture
def ledger(
    database_url: str, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> Iterator[Ledger]:
    built = Ledger(database_url, make_terms, make_readings)
    yield built
    built.close()


def test_an_untouched_ledger_verifies_up_to_its_digest(ledger: Ledger) -> None:
    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.checked_through) == (True, 6)
    assert result.digest == ledger.app.audit.ledger_digest()


def test_the_reader_names_the_events_table_the_library_writes(ledger: Ledger) -> None:
    expected = SQLITE_EVENTS_TABLE if ledger.is_sqlite else POSTGRES_EVENTS_TABLE

    assert ledger.events_table == expected


def test_an_old_digest_still_verifies_after_more_events(ledger: Ledger) -> None:
    kept = ledger.app.audit.verify_ledger(up_to=3).digest
    ledger.app.commands.record_exclusion("acme-1", _exclusion())

    assert ledger.app.audit.verify_ledger(expected=kept).ok


def test_a_changed_payload_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper(
        "UPDATE {events} SET state = CAST(replace(state, 'acme', 'evil') AS BLOB) WHERE {pos} = 4"
        if ledger.is_sqlite
        else "UPDATE {events} SET state = convert_to(replace(convert_from(state, 'UTF8'), "
        "'acme', 'evil'), 'UTF8') WHERE {pos} = 4"
    )

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 4)


def test_a_deleted_event_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 3")

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 3)


def test_an_inserted_event_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.forge_event(7)

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 7)


@pytest.mark.parametrize("position", [0, -1])
def test_an_event_inserted_at_a_position_the_ledger_never_uses_fails_verification(
    ledger: Ledger, position: int
) -> None:
    ledger.forge_event(position)

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, position)


@pytest.mark.parametrize("position", [0, -1])
def test_an_event_inserted_below_the_first_position_fails_against_a_kept_digest(
    ledger: Ledger, position: int
) -> None:
    kept = ledger.app.audit.ledger_digest()
    ledger.forge_event(position)

    result = ledger.app.audit.verify_ledger(expected=kept)

    assert (result.ok, result.first_bad_position) == (False, position)


def test_an_event_below_the_first_position_fails_a_range_from_the_start(ledger: Ledger) -> None:
    ledger.forge_event(-1)

    assert ledger.app.audit.verify_ledger(up_to=3).first_bad_position == -1
    assert ledger.app.audit.verify_ledger(after=2).ok


def test_an_event_in_a_gap_of_the_chain_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 3", "DELETE FROM {chain} WHERE position = 3")
    ledger.forge_event(3)

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 3)


def test_two_swapped_events_are_named_by_the_first_position(ledger: Ledger) -> None:
    ledger.tamper(
        "UPDATE {events} SET {pos} = -2 WHERE {pos} = 2",
        "UPDATE {events} SET {pos} = 2 WHERE {pos} = 5",
        "UPDATE {events} SET {pos} = 5 WHERE {pos} = -2",
    )

    result = ledger.app.audit.verify_ledger()

    assert (result.ok, result.first_bad_position) == (False, 2)


def test_a_rewritten_chain_passes_alone_but_not_against_a_kept_digest(ledger: Ledger) -> None:
    kept = ledger.app.audit.ledger_digest()
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 3", "DELETE FROM {chain}")
    with open_log_reader(ledger.app.env) as reader:
        events = [e for e in reader.events(1, 10, 100) if isinstance(e, ChainedEvent)]
    rewritten = extend(GENESIS, events)
    for position, digest in rewritten:
        ledger.tamper("INSERT INTO {chain} (position, hash) VALUES (:p, :h)", p=position, h=digest)

    assert ledger.app.audit.verify_ledger().ok
    result = ledger.app.audit.verify_ledger(expected=kept)
    assert (result.ok, result.first_bad_position) == (False, kept.position)
    assert kept != Digest(*rewritten[-1])


def test_an_event_forged_after_the_head_makes_the_next_append_refused(ledger: Ledger) -> None:
    ledger.forge_event(7)

    with pytest.raises(LedgerTamperedError, match="positions 1 to 7"):
        ledger.sign("acme-3")

    assert ledger.event_positions() == [1, 2, 3, 4, 5, 6, 7]
    assert ledger.chain_positions() == [1, 2, 3, 4, 5, 6]
    assert ledger.app.audit.verify_ledger().first_bad_position == 7


@pytest.mark.parametrize("position", [0, -1])
def test_an_event_forged_below_the_first_position_makes_the_next_append_refused(
    ledger: Ledger, position: int
) -> None:
    ledger.forge_event(position)

    with pytest.raises(LedgerTamperedError, match=f"positions {position} to 6"):
        ledger.sign("acme-3")

    assert ledger.app.audit.verify_ledger().first_bad_position == position


def test_an_emptied_chain_makes_the_next_append_refused(ledger: Ledger) -> None:
    ledger.tamper("DELETE FROM {chain}")

    with pytest.raises(LedgerTamperedError, match="chain is empty"):
        ledger.app.commands.record_exclusion("acme-1", _exclusion())

    assert ledger.chain_positions() == []
    result = ledger.app.audit.verify_ledger()
    assert (result.ok, result.first_bad_position) == (False, 1)


def test_the_last_events_removed_with_their_chain_rows_fail_against_a_kept_digest(
    ledger: Ledger,
) -> None:
    kept = ledger.app.audit.ledger_digest()
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 6", "DELETE FROM {chain} WHERE position = 6")

    result = ledger.app.audit.verify_ledger(expected=kept)

    assert (result.ok, result.first_bad_position) == (False, 6)


def test_chain_rows_left_without_their_events_make_the_next_append_refused(
    ledger: Ledger,
) -> None:
    ledger.tamper("DELETE FROM {events} WHERE {pos} >= 5")

    with pytest.raises(LedgerTamperedError, match="positions 1 to 4, the hash chain positions 1"):
        ledger.sign("acme-3")

    assert ledger.app.audit.verify_ledger().first_bad_position == 5


def _exclusion() -> Exclusion:
    start = SIGNED_AT + timedelta(days=3)
    return Exclusion("x-1", start, start + timedelta(hours=1), ExclusionKind.OTHER, "kept")


def test_sla_ledger_verify_exits_1_naming_the_first_bad_position(ledger: Ledger) -> None:
    intact = verify_command(ledger.database_url)
    ledger.tamper("DELETE FROM {events} WHERE {pos} = 5")

    broken = verify_command(ledger.database_url, "--expect", intact["digest"])

    assert (intact["ok"], intact["returncode"]) == (True, 0)
    assert (broken["ok"], broken["first_bad_position"], broken["returncode"]) == (False, 5, 1)


@pytest.mark.parametrize("position", [0, -1])
def test_sla_ledger_verify_names_an_event_below_the_first_position_with_a_kept_digest(
    ledger: Ledger, position: int
) -> None:
    kept = verify_command(ledger.database_url)["digest"]
    ledger.forge_event(position)

    plain = verify_command(ledger.database_url)
    against_kept = verify_command(ledger.database_url, "--expect", kept)

    for result in (plain, against_kept):
        assert (result["ok"], result["first_bad_position"], result["returncode"]) == (
            False,
            position,
            1,
        )


def test_a_malformed_head_of_the_chain_makes_the_next_append_refused(ledger: Ledger) -> None:
    ledger.tamper(
        "UPDATE {chain} SET hash = "
        + ("X'0102'" if ledger.is_sqlite else "decode('0102', 'hex')")
        + " WHERE position = 6"
    )

    with pytest.raises(LedgerTamperedError, match="head at position 6 is malformed"):
        ledger.sign("acme-3")

    assert ledger.event_positions() == [1, 2, 3, 4, 5, 6]


def test_an_empty_ledger_verifies(database_url: str) -> None:
    storage = parse_database_url(database_url)
    app = open_application(storage)
    try:
        result = app.audit.verify_ledger()
    finally:
        app.close()

    assert (result.ok, result.digest) == (True, Digest(0, GENESIS))


def test_appends_of_two_processes_at_once_all_commit_and_chain(
    ledger: Ledger, database_url: str, make_terms: Callable[..., Any]
) -> None:
    storage = parse_database_url(database_url)
    other = LedgerApplication(storage.env)  # its own connections, as a second server process has

    def sign(app: LedgerApplication, name: str) -> Callable[[], object]:
        return lambda: app.commands.sign_agreement(name, make_terms(), SIGNED_AT)

    try:
        results, errors = run_concurrently(
            [sign(app, f"{app is other}-{n}") for n in range(8) for app in (ledger.app, other)]
        )
    finally:
        other.close()

    assert (len(results), errors) == (16, [])
    assert ledger.app.audit.verify_ledger().ok
