"""Group commit in the ledger's recorder, on SQLite and PostgreSQL: commands that arrive
together share one transaction and one commit, and each is still all or nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from domain.errors import AlreadyExistsError
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.concurrency import run_concurrently
from tests.integration.conftest import SIGNED_AT, TermsFactory

Call = Callable[[], Any]


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url))
    yield application
    application.close()


def as_one_group(app: LedgerApplication, calls: Sequence[Call]) -> tuple[list[Any], list[Any]]:
    """Run calls concurrently while an append holds its group's transaction open until every
    call's append waits behind it, so that they are written as the next group."""
    group = app.ledger_recorder.group_commit
    holding = threading.Event()

    def hold(cursor: Any) -> None:
        holding.set()
        while len(group._waiting) < len(calls):
            threading.Event().wait(0.001)

    holder = threading.Thread(target=group.run, args=(hold,))
    holder.start()
    holding.wait()
    outcome = run_concurrently(calls)
    holder.join()
    return outcome


def signing(app: LedgerApplication, agreement_id: str, make_terms: TermsFactory) -> Call:
    return lambda: app.commands.sign_agreement(agreement_id, make_terms(), SIGNED_AT)


def test_commands_that_wait_together_are_committed_with_one_commit(
    app: LedgerApplication, make_terms: TermsFactory
) -> None:
    group = app.ledger_recorder.group_commit
    before = group.groups_written

    results, errors = as_one_group(app, [signing(app, f"acme-{n}", make_terms) for n in range(4)])

    assert (len(results), errors) == (4, [])
    assert group.groups_written - before == 2  # the holding append's, then the four at once
    assert sorted(position for _, position in results) == [1, 2, 3, 4]


def test_a_failing_command_in_a_group_leaves_the_others_committed(
    app: LedgerApplication, make_terms: TermsFactory
) -> None:
    results, errors = as_one_group(
        app,
        [
            signing(app, "acme", make_terms),
            signing(app, "globex", make_terms),
            signing(app, "globex", make_terms),  # the second of the two is refused
        ],
    )

    assert len(results) == 2
    assert [type(error) for error in errors] == [AlreadyExistsError]
    assert sorted(app.agreements.agreement_ids()[0]) == ["acme", "globex"]
    assert app.event_log.head() == 2


def test_a_ledger_written_in_groups_verifies_with_every_position_chained(
    app: LedgerApplication, make_terms: TermsFactory
) -> None:
    as_one_group(app, [signing(app, f"acme-{n}", make_terms) for n in range(3)])
    as_one_group(app, [signing(app, n, make_terms) for n in ("acme-1", "globex", "initech")])

    result = app.audit.verify_ledger()

    head = app.event_log.head()  # a refused append leaves a gap in PostgreSQL's sequence
    assert (result.ok, result.checked_through, app.event_log.count_between(1, head)) == (
        True,
        head,
        5,
    )


def test_concurrent_commands_without_any_holding_all_commit(
    app: LedgerApplication, make_terms: TermsFactory
) -> None:
    results, errors = run_concurrently([signing(app, f"acme-{n}", make_terms) for n in range(16)])

    assert (len(results), errors) == (16, [])
    assert sorted(position for _, position in results) == list(range(1, 17))
    assert app.audit.verify_ledger().ok
