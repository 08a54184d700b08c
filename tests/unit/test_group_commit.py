"""Group commit over a real SQLite database: appends share a transaction, each all or nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from service.store.group_commit import GroupCommit
from service.store.savepoints import sqlite_savepoint
from tests.concurrency import run_concurrently

Work = Callable[[Any], Any]


class Database:
    """A SQLite file with one table of names, and a group commit over one writer connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._writer.execute("CREATE TABLE names (name TEXT PRIMARY KEY)")
        self._writer.execute(
            "CREATE TABLE owed (name TEXT REFERENCES names (name) DEFERRABLE INITIALLY DEFERRED)"
        )
        self._writer.execute("PRAGMA foreign_keys = ON")
        self.commits = 0
        self.group = GroupCommit(self._transaction, sqlite_savepoint)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._writer.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        except BaseException:
            if self._writer.in_transaction:
                self._writer.rollback()
            raise
        self._writer.commit()
        self.commits += 1

    def names(self) -> list[str]:
        """The committed names, read on a connection of its own."""
        with sqlite3.connect(self.path) as reader:
            return sorted(row[0] for row in reader.execute("SELECT name FROM names"))


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return Database(tmp_path / "group.sqlite3")


def insert(name: str) -> Work:
    def work(cursor: Any) -> str:
        cursor.execute("INSERT INTO names VALUES (?)", (name,))
        return name

    return work


def run_as_one_group(
    database: Database, works: list[Work]
) -> tuple[list[Any], list[BaseException]]:
    """Run works concurrently while an append holds its group open until all of them wait
    behind it: they form the next group, in the order they happened to queue."""
    holding = threading.Event()

    def hold(cursor: Any) -> None:
        holding.set()
        while len(database.group._waiting) < len(works):
            threading.Event().wait(0.001)

    leader = threading.Thread(target=database.group.run, args=(hold,))
    leader.start()
    holding.wait()
    results = run_concurrently([lambda w=w: database.group.run(w) for w in works])  # type: ignore[misc]
    leader.join()
    return results


def test_an_append_alone_commits_at_once_and_returns_its_result(database: Database) -> None:
    assert database.group.run(insert("acme")) == "acme"
    assert (database.names(), database.commits) == (["acme"], 1)


def test_appends_queued_together_share_one_commit(database: Database) -> None:
    results, errors = run_as_one_group(database, [insert(f"n{i}") for i in range(5)])

    assert (sorted(results), errors) == ([f"n{i}" for i in range(5)], [])
    assert database.names() == [f"n{i}" for i in range(5)]
    assert database.commits == 2  # the holding append's group, then the five together


def test_a_failing_append_in_a_group_leaves_the_others_committed(database: Database) -> None:
    results, errors = run_as_one_group(database, [insert("a"), insert("dup"), insert("dup")])

    assert sorted(results) == ["a", "dup"]
    assert [type(error) for error in errors] == [IntegrityError]
    assert database.names() == ["a", "dup"]
    assert database.commits == 2


def test_a_failing_append_leaves_none_of_its_own_writes(database: Database) -> None:
    def half_then_fail(cursor: Any) -> None:
        cursor.execute("INSERT INTO names VALUES ('half')")
        cursor.execute("INSERT INTO names VALUES ('half')")

    _, errors = run_as_one_group(database, [insert("a"), half_then_fail, insert("b")])

    assert len(errors) == 1
    assert database.names() == ["a", "b"]


def test_an_error_that_is_not_the_databases_reaches_its_own_caller_only(
    database: Database,
) -> None:
    def refuse(cursor: Any) -> None:
        cursor.execute("INSERT INTO names VALUES ('refused')")
        raise ValueError("refused by the caller's own rule")

    results, errors = run_as_one_group(database, [insert("a"), refuse])

    assert (results, [str(e) for e in errors]) == (["a"], ["refused by the caller's own rule"])
    assert database.names() == ["a"]


def test_a_group_whose_commit_fails_tells_every_caller_and_keeps_nothing(
    database: Database,
) -> None:
    def owe_someone_unknown(cursor: Any) -> str:
        cursor.execute("INSERT INTO owed VALUES ('nobody')")  # checked only at the commit
        return "owed"

    results, errors = run_as_one_group(database, [insert("a"), owe_someone_unknown, insert("b")])

    assert (results, len(errors)) == ([], 3)
    assert all(isinstance(error, sqlite3.IntegrityError) for error in errors)
    assert database.names() == []


def test_a_group_whose_transaction_the_database_ended_keeps_nothing(database: Database) -> None:
    def end_the_transaction(cursor: Any) -> None:
        cursor.connection.rollback()  # as SQLite does itself on a full disk or an I/O error
        raise sqlite3.OperationalError("database or disk is full")

    results, errors = run_as_one_group(database, [insert("a"), end_the_transaction, insert("b")])

    assert (results, len(errors), database.names()) == ([], 3, [])
