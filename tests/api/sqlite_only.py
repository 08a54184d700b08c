"""A module's API tests on SQLite only, for modules whose checks are the API's own (validation,
rendering, paging, access): the same on either store. The store's paths run on both backends in
tests/integration, and the API modules that depend on the store (subscriptions, crashes and
restarts, the chain, request ids, read-model recovery, the worked examples) run on both.

A module takes it with `from tests.api.sqlite_only import sqlite_only_database_url`: the fixture
is named database_url, so the module's `server` runs on SQLite.
"""

from __future__ import annotations

import pytest


@pytest.fixture(name="database_url")
def sqlite_only_database_url(sqlite_database_url: str) -> str:
    """The module's database: a new SQLite file."""
    return sqlite_database_url
