"""A service SLA's compliance series for each subscriber and each tier, from rollups however far
they have got and by replaying the streams it needs, equals the oracle's (one evaluation per
point over every event of the service), over random histories
(tests/integration/service_histories.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import LedgerError
from service.app.compliance_series import SeriesQuestion
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
    database=None, max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _outcome(series: Callable[..., Any], *args: Any) -> Any:
    """The series series(*args) gives, or the name of the refusal it meets."""
    try:
        found = series(*args)
    except LedgerError as error:
        return type(error).__name__
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
def test_subscriber_and_tier_series_equal_the_full_replay(
    server: str | None,
    zone: str,
    tiers: Any,
    history: list[tuple[str, Any]],
    data: st.DataObject,
) -> None:
    with played_history(server, zone, tiers, history, data) as played:
        app, models, recorded = played.app, played.models, played.recorded
        series = app.series
        for _ in range(2):
            period_at = SIGNED_AT + timedelta(hours=data.draw(st.integers(0, 24 * DAYS)))
            as_of = period_at + timedelta(hours=data.draw(st.integers(-48, 24 * 40)))
            objective_id = data.draw(st.sampled_from(["a", "b"]))
            known_at = data.draw(st.sampled_from(recorded) | st.just(recorded[-1]))
            subjects = [("", c) for c in CUSTOMERS] + [(t, "") for t in TIERS]
            for tier_id, customer_id in subjects:
                question = SeriesQuestion(
                    SERVICE,
                    objective_id,
                    period_at,
                    as_of,
                    known_at,
                    tier_id=tier_id,
                    customer_id=customer_id,
                )
                full = _outcome(series.by_full_replay, question)
                assert _outcome(series.by_stream_replay, question) == full
                assert _outcome(series.from_rollups, question, models) == full
