"""The composition root: how the ledger's parts are built from a database URL.

The CLI, the tests and the benchmarks build the application and its read models only through
these functions, so each part is wired one way everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from projections.read_models import ReadModels
from service.api.event_encoder import LedgerEventEncoder
from service.app.application import DEFAULT_MAX_CLOCK_SKEW, Clock, LedgerApplication, utc_now
from service.store.log_reader import NoLedgerError
from service.store.read_models_engine import read_models_engine
from service.store.storage import SchemaLock, Storage, parse_database_url

logger = logging.getLogger("sla_ledger")


def storage_at(database_url: str | Storage) -> Storage:
    """The storage a URL names (DatabaseUrlError when it names none)."""
    return database_url if isinstance(database_url, Storage) else parse_database_url(database_url)


def existing_storage(database_url: str | Storage) -> Storage:
    """The storage of a ledger that must exist already: a missing SQLite file is refused rather
    than created (empty) by a command that only reads it."""
    storage = storage_at(database_url)
    if not storage.is_postgres and not Path(storage.env["SQLITE_DBNAME"]).is_file():
        raise NoLedgerError(f"no ledger at {storage.env['SQLITE_DBNAME']}")
    return storage


def open_application(
    database_url: str | Storage,
    *,
    clock: Clock = utc_now,
    max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW,
    create_tables: bool = True,
) -> LedgerApplication:
    """The ledger application on a storage, its tables created once (under the schema lock on
    PostgreSQL, so replicas starting together never race) unless create_tables is False."""
    storage = storage_at(database_url)
    logger.info("opening storage", extra={"database": storage.describe()})
    env = {**storage.env, "CREATE_TABLE": "y" if create_tables else "n"}
    if not create_tables:
        return LedgerApplication(env=env, clock=clock, max_clock_skew=max_clock_skew)
    with SchemaLock(storage):
        return LedgerApplication(env=env, clock=clock, max_clock_skew=max_clock_skew)


def open_read_models(
    app: LedgerApplication, database_url: str | Storage, *, create_tables: bool = True
) -> ReadModels:
    """The read models beside the application, their tables created once."""
    storage = storage_at(database_url)
    read_models = ReadModels(
        app.event_log,
        read_models_engine(storage),
        LedgerEventEncoder(),
        partial(SchemaLock, storage),
    )
    if create_tables:
        read_models.create()
    return read_models


@dataclass
class Ledger:
    """An application and its read models on one storage, closed together."""

    storage: Storage
    app: LedgerApplication
    read_models: ReadModels

    def close(self) -> None:
        """Stop the read models and close the storage."""
        self.read_models.stop()
        self.app.close()


def open_ledger(
    database_url: str | Storage,
    *,
    clock: Clock = utc_now,
    max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW,
) -> Ledger:
    """The application and its read models on a storage, their tables created once."""
    storage = storage_at(database_url)
    app = open_application(storage, clock=clock, max_clock_skew=max_clock_skew)
    return Ledger(storage, app, open_read_models(app, storage))
