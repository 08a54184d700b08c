"""The storage failures a call can end with, told apart as sla_ledger_storage_errors_total
counts them (service/api/errors.py storage_error_kind), and reported to the observers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError

from domain.errors import unknown_agreement
from service.api import errors
from service.api.errors import storage_error_kind
from service.store.chain_store import LedgerTamperedError
from service.store.log_reader import LogUnreadableError


def _full_sqlite() -> OperationalError:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    try:
        raise OperationalError(str(full)) from full
    except OperationalError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (OperationalError("connection refused"), "unavailable"),
        (InterfaceError("connection closed"), "unavailable"),
        (_full_sqlite(), "storage_full"),
        (LedgerTamperedError("events outside the chain"), "tampered"),
        (LogUnreadableError("not a database"), "unreadable"),
    ],
)
def test_each_storage_failure_has_its_kind(error: Exception, kind: str) -> None:
    assert storage_error_kind(error) == kind


@pytest.mark.parametrize("error", [unknown_agreement("acme-1"), ValueError("a bug")])
def test_a_failure_that_is_not_the_storages_has_no_kind(error: Exception) -> None:
    assert storage_error_kind(error) is None


class _AbortedError(Exception):
    pass


class _Context:
    def set_trailing_metadata(self, metadata: Any) -> None:
        pass

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise _AbortedError(code)


@pytest.fixture
def reported() -> Iterator[list[str]]:
    kinds: list[str] = []
    errors.storage_error_observers.append(kinds.append)
    yield kinds
    errors.storage_error_observers.remove(kinds.append)


def test_a_call_ended_by_a_storage_failure_reports_its_kind(reported: list[str]) -> None:
    with pytest.raises(_AbortedError):
        errors.end_call("GetAgreement", OperationalError("connection refused"), _Context())

    assert reported == ["unavailable"]


def test_a_call_ended_by_a_refusal_reports_nothing(reported: list[str]) -> None:
    with pytest.raises(_AbortedError):
        errors.end_call("GetAgreement", unknown_agreement("acme-1"), _Context())

    assert reported == []
