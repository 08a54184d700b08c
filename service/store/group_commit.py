"""Group commit: appends that arrive together share one transaction and one commit.

An append joins a queue. The first to arrive while no group is being written leads: it takes
the appends waiting then (its own first, up to MAX_GROUP), opens one transaction, runs each
in a savepoint of its own, commits once and wakes every caller of the group with its own
result. An append that fails is rolled back to its savepoint and gets its own error; the
others of its group are still committed. A group whose transaction cannot go on (its commit
failed, or the database gave up the transaction) commits nothing, and each of its callers gets
an error. No caller returns before the commit that holds its events: acknowledged means
durable, as with one transaction a call.

Appends arriving while a group is written wait for the next group, led by the first of them,
so no call waits for more than the group in front of it and its own. One append alone is
written at once, with no waiting: an idle ledger is as fast as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

MAX_GROUP = 64

Result = TypeVar("Result")
Transaction = Callable[[], AbstractContextManager[Any]]
Savepoint = Callable[[Any], AbstractContextManager[None]]


class TransactionLostError(Exception):
    """The database ended the group's transaction: none of the group's appends is kept."""


class _Append(Generic[Result]):
    """One caller's append, waiting for its group's commit or for its turn to lead."""

    def __init__(self, work: Callable[[Any], Result]) -> None:
        self.work = work
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.finished = False
        self._wake = threading.Event()

    def wait(self) -> None:
        """Block until finished or made the leader of the next group."""
        self._wake.wait()

    def wake(self) -> None:
        """Let the waiting caller go on."""
        self._wake.set()


class GroupCommit:
    """Runs appends in shared transactions: each all-or-nothing, one commit per group."""

    def __init__(self, transaction: Transaction, savepoint: Savepoint) -> None:
        self._transaction = transaction
        self._savepoint = savepoint
        self._lock = threading.Lock()
        self._waiting: deque[_Append[Any]] = deque()
        self._leading = False
        self.groups_written = 0  # for tests and metrics: how many commits groups took

    def run(self, work: Callable[[Any], Result]) -> Result:
        """Run work(cursor) inside a committed transaction, perhaps shared; its result."""
        append = _Append(work)
        with self._lock:
            self._waiting.append(append)
            leads = not self._leading
            self._leading = True
        if not leads:
            append.wait()
        if not append.finished:
            self._lead()
        if append.error is not None:
            raise append.error
        return append.result  # type: ignore[return-value]

    def _lead(self) -> None:
        """Write the group at the head of the queue, then hand the lead on or give it up."""
        with self._lock:
            group = [self._waiting.popleft() for _ in range(min(MAX_GROUP, len(self._waiting)))]
        try:
            self._write(group)
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                self._leading = successor is not None
            for append in group:
                append.finished = True
                append.wake()
            if successor is not None:
                successor.wake()

    def _write(self, group: list[_Append[Any]]) -> None:
        """One transaction for the group, a savepoint for each of its appends."""
        try:
            with self._transaction() as cursor:
                for append in group:
                    try:
                        with self._savepoint(cursor):
                            append.result = append.work(cursor)
                    except TransactionLostError:
                        raise
                    except Exception as error:  # this caller's own failure
                        append.error = error
            self.groups_written += 1
        except BaseException as error:
            # Nothing of the group was committed: whoever had succeeded is told why.
            cause = error.__cause__ if isinstance(error, TransactionLostError) else None
            for append in group:
                if append.error is None:
                    append.result = None
                    append.error = cause or error
