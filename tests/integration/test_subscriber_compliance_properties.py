"""A service SLA's compliance for each subscriber and each tier, replaying only the streams it
needs or from rollups however far they have got, equals the oracle over every event of the
service (domain.oracle replay_subscriber_compliance and replay_tier_compliance), over random
histories (tests/integration/service_histories.py) at random as_of and known_at, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.compliance_report import ComplianceReport
from domain.errors import NotFoundError
from tests.integration.service_histories import (
    CUSTOMERS,
    DAYS,
    SERVICE,
    SIGNED_AT,
    TIERS,
    steps,
    tier_specs,
    zones,
)
from tests.integration.service_history_runs import played_history

PROPERTY = settings(
    database=None, max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _outcome(report: Callable[..., Any], *args: Any) -> Any:
    """The report report(*args) gives, or "not found" when it is refused as NOT_FOUND."""
    try:
        found = report(*args)
    except NotFoundError:
        return "not found"
    return found[0] if isinstance(found, tuple) else found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request: pytest.FixtureRequest) -> str | None:
    """None for SQLite files, else the PostgreSQL server's URL."""
    return (
        None if request.param == "sqlite" else str(request.getfixturevalue("postgres_server_url"))
    )


@PROPERTY
@given(zones, tier_specs, steps(max_steps=8), st.data())
def test_subscriber_and_tier_reports_equal_the_full_replay_at_any_as_of_and_known_at(
    server: str | None,
    zone: str,
    tiers: Any,
    history: list[tuple[str, Any]],
    data: st.DataObject,
) -> None:
    with played_history(server, zone, tiers, history, data) as played:
        app, models, recorded = played.app, played.models, played.recorded
        compliance = app.compliance
        subscribers = compliance.subscribers
        for _ in range(3):
            as_of = SIGNED_AT + timedelta(hours=data.draw(st.integers(0, 24 * DAYS)))
            known_at = data.draw(st.sampled_from(recorded) | st.just(recorded[-1]))
            objective_id = data.draw(st.sampled_from(["", "a", "b"]))
            asked = (objective_id, as_of, known_at)
            for customer_id in CUSTOMERS:
                who = (SERVICE, customer_id, *asked)
                full = _outcome(subscribers.subscriber_by_full_replay, *who)
                _same(full, _outcome(compliance.subscriber_report, *who, None))
                _same(full, _outcome(compliance.subscriber_report, *who, models))
            for tier_id in TIERS:
                which = (SERVICE, tier_id, *asked)
                full = _outcome(subscribers.tier_by_full_replay, *which)
                _same(full, _outcome(compliance.tier_report, *which, None))
                _same(full, _outcome(compliance.tier_report, *which, models))


def _same(expected: ComplianceReport | str, found: ComplianceReport | str) -> None:
    assert found == expected
