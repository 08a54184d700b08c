"""`sla-ledger adopt-chain`: the one-time, recorded chaining of a log written before the chain."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service.store.chain_store import AdoptionRefusedError, LedgerTamperedError
from tests.integration.tampering import Ledger, run_cli, verify_command

ADOPTER = "ops@example.com"


@pytest.fixture
def ledger(
    database_url: str, make_terms: Callable[..., Any], make_readings: Callable[..., Any]
) -> Iterator[Ledger]:
    built = Ledger(database_url, make_terms, make_readings)
    yield built
    built.close()


@pytest.fixture
def unchained(ledger: Ledger) -> Ledger:
    """The ledger as a log recorded before the chain existed: six events, no chain rows."""
    ledger.tamper("DELETE FROM {chain}")
    ledger.restore_triggers()
    return ledger


def _adopt(ledger: Ledger, by: str = ADOPTER) -> tuple[int, str, str]:
    return run_cli("adopt-chain", "--by", by, "--database-url", ledger.database_url)


def test_a_log_written_before_the_chain_is_refused_until_adopt_chain(unchained: Ledger) -> None:
    with pytest.raises(LedgerTamperedError, match="chain is empty"):
        unchained.sign("acme-3")

    code, stdout, stderr = _adopt(unchained)

    assert code == 0, stderr
    adopted = json.loads(stdout)
    assert (adopted["by"], adopted["events"], adopted["through_position"]) == (ADOPTER, 6, 6)
    unchained.sign("acme-3")
    verified = verify_command(unchained.database_url)
    assert (verified["ok"], verified["digest"].split(":")[0]) == (True, "7")


def test_verify_reports_who_adopted_how_many_events_through_which_position_and_when(
    unchained: Ledger,
) -> None:
    _, stdout, _ = _adopt(unchained)

    verified = verify_command(unchained.database_url)

    assert verified["adoption"] == json.loads(stdout)
    assert verified["adoption"]["at"].startswith("20")
    assert verified["adoption"]["digest"] == verified["digest"]


def test_verify_reports_no_adoption_for_a_log_chained_from_its_first_event(
    ledger: Ledger,
) -> None:
    assert verify_command(ledger.database_url)["adoption"] is None


def test_adopt_chain_refuses_a_chained_log_and_records_nothing(ledger: Ledger) -> None:
    code, _, stderr = _adopt(ledger)

    assert code == 1
    assert "already holds positions 1 to 6" in stderr
    assert _adoption_rows(ledger) == 0


def test_adopt_chain_is_one_time_even_after_the_chain_is_emptied_again(
    unchained: Ledger,
) -> None:
    _adopt(unchained)
    unchained.tamper("DELETE FROM {chain}")

    with pytest.raises(AdoptionRefusedError, match=f"adopted already, by {ADOPTER}"):
        unchained.app.audit.adopt_chain("intruder")

    assert unchained.chain_positions() == []


@pytest.mark.parametrize("position", [0, -1])
def test_adopt_chain_refuses_an_event_below_the_first_position(
    unchained: Ledger, position: int
) -> None:
    unchained.forge_event(position)

    with pytest.raises(AdoptionRefusedError, match=f"position {position} cannot be chained"):
        unchained.app.audit.adopt_chain(ADOPTER)

    assert (unchained.chain_positions(), _adoption_rows(unchained)) == ([], 0)


@pytest.mark.parametrize(
    "statement", ["UPDATE {adoptions} SET adopted_by = 'x'", "DELETE FROM {adoptions}"]
)
def test_the_record_of_an_adoption_is_append_only(unchained: Ledger, statement: str) -> None:
    _adopt(unchained)

    with pytest.raises(DBAPIError, match="append-only"), unchained.engine.begin() as connection:
        connection.execute(text(unchained.sql(statement)))

    assert _adoption_rows(unchained) == 1


def test_adopt_chain_needs_a_name(unchained: Ledger) -> None:
    code, _, stderr = _adopt(unchained, by="  ")

    assert code != 0
    assert "--by" in stderr
    assert _adoption_rows(unchained) == 0


def _adoption_rows(ledger: Ledger) -> int:
    with ledger.engine.connect() as connection:
        return int(
            connection.execute(text(ledger.sql("SELECT COUNT(*) FROM {adoptions}"))).scalar_one()
        )
