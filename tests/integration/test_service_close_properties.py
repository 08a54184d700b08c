"""Closing a service SLA's periods a bounded number a call, for every subscriber at once, appends
per subscriber exactly what closing every due period of that subscriber's view of the whole
history appends (domain.period_closing.close_due_periods), over random histories: tiers with
different targets, units and bands, subscriptions starting and ending mid-period, tier changes,
customer exclusions, customer-labelled readings, amendments, and closes along the way; on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.app.application import LedgerApplication
from service.bootstrap import open_application
from tests.integration.service_histories import (
    SERVICE,
    SIGNED_AT,
    StridingClock,
    apply_step,
    content,
    expected_closes,
    fresh_database,
    service_terms,
    steps,
    tier_specs,
    zones,
)

PROPERTY = settings(
    database=None, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request: pytest.FixtureRequest) -> str | None:
    """None for SQLite files, else the PostgreSQL server's URL."""
    return (
        None if request.param == "sqlite" else str(request.getfixturevalue("postgres_server_url"))
    )


@PROPERTY
@given(zones, tier_specs, steps(), st.integers(1, 9))
def test_bounded_service_closes_append_per_subscriber_what_closing_its_whole_view_appends(
    server: str | None, zone: str, tiers: Any, history: list[tuple[str, Any]], limit: int
) -> None:
    with fresh_database(server) as url:
        app = open_application(url, clock=StridingClock())
        try:
            app.commands.sign_agreement(SERVICE, service_terms(zone, tiers), SIGNED_AT)
            for index, (kind, value) in enumerate(history):
                if kind == "close":
                    _check_close(app, SIGNED_AT + timedelta(days=value), limit)
                else:
                    apply_step(app, kind, value, index)
        finally:
            app.close()


def _check_close(app: LedgerApplication, until: datetime, limit: int) -> None:
    expected = expected_closes(app, until)
    appended: dict[str, list[Any]] = {customer_id: [] for customer_id in expected}
    while True:
        closed = app.commands.close_periods(SERVICE, until, limit=limit)
        assert closed.closed_count <= limit
        for logged in closed.events:
            appended[logged.event.customer_id].append(content(logged.event))
        if not closed.more_due:
            break
    assert appended == expected
