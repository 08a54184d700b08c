"""What the `sla-ledger` subcommands share: the database URL they are given, and errors."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from service.bootstrap import existing_storage, storage_at
from service.config import command_database_url
from service.store.log_reader import NoLedgerError
from service.store.storage import DatabaseUrlError, Storage


def database_url(arguments: argparse.Namespace) -> str:
    """The --database-url given, SLA_LEDGER_DATABASE_URL, or the default."""
    return command_database_url(arguments.database_url)


def storage_of(database_url: str) -> Storage:
    """The storage a URL names, or exit with the reason it names none."""
    try:
        return storage_at(database_url)
    except DatabaseUrlError as error:
        raise SystemExit(f"sla-ledger: {error}") from None


def existing_ledger(arguments: argparse.Namespace) -> Storage:
    """The storage of the ledger the arguments name, which must exist: a missing SQLite file is
    refused rather than created (empty) by a command that reads it."""
    try:
        return existing_storage(storage_of(database_url(arguments)))
    except NoLedgerError as error:
        raise SystemExit(f"sla-ledger: {error}") from None


def instant(text: str | None, flag: str) -> datetime | None:
    """The instant an ISO 8601 flag value names (UTC when it has no offset); None when empty."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"sla-ledger: {flag}: {text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
