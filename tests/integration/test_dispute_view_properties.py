"""Property: the disputes read model lists what folding each dispute's stream gives
(domain.disputes.dispute_record), in the order they were opened, whatever the batches, filters
and page sizes, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from domain.disputes import (
    Dispute,
    DisputeRecord,
    DisputeSubject,
    Outcome,
    SubjectKind,
    dispute_record,
)
from domain.errors import FailedPreconditionError
from projections.dispute_views import DisputeViews, list_disputes
from projections.runner import BatchedProjectionRunner, create_tables
from projections.tables import disputes, projection_tracking
from tests.integration.service_log import MemoryLog, read_models_engine_at

T0 = datetime(2026, 5, 1, tzinfo=UTC)
AGREEMENTS = ("sla-a", "sla-b")
CUSTOMERS = ("globex", "initech")
SUBJECTS = (
    DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-04"),
    DisputeSubject(SubjectKind.EXCLUSION, exclusion_id="maint-1"),
    DisputeSubject(SubjectKind.DENIED_CLAIM, "latency", "2026-03", customer_id="initech"),
)
STATES: tuple[tuple[bool, Outcome | None] | None, ...] = (
    None,
    (True, None),
    (False, Outcome.UPHELD),
    (False, Outcome.REJECTED),
)
# Open a dispute (agreement, customer, subject), or resolve the n-th opened so far.
step = st.one_of(
    st.tuples(
        st.just("open"),
        st.sampled_from(AGREEMENTS),
        st.sampled_from(CUSTOMERS),
        st.sampled_from(SUBJECTS),
    ),
    st.tuples(st.just("resolve"), st.integers(0, 9), st.sampled_from(list(Outcome)), st.just(0)),
)


def _log_of(steps: list[Any]) -> tuple[MemoryLog, dict[tuple[str, str], list[tuple[int, Any]]]]:
    """The log of the steps the domain accepts, and each dispute's (position, event) pairs."""
    log = MemoryLog()
    held: list[Dispute] = []
    streams: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for index, (kind, first, second, third) in enumerate(steps):
        at = T0 + timedelta(seconds=index)
        if kind == "open":
            dispute = Dispute.open(first, f"d-{index}", third, second, "why", "", log.head(), at)
            held.append(dispute)
        elif held:
            dispute = held[first % len(held)]
            with contextlib.suppress(FailedPreconditionError):
                dispute.resolve(second, "because", log.head(), at, index % 3)
        else:
            continue
        for event in dispute.collect_events():
            log.extend([event])
            key = (dispute.agreement_id, dispute.dispute_id)
            streams.setdefault(key, []).append((log.head(), event))
    return log, streams


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(disputes))
        connection.execute(delete(projection_tracking))
    create_tables(engine, [DisputeViews.name])


def _expected(
    records: list[DisputeRecord],
    agreement_id: str,
    customer_id: str,
    state: tuple[bool, Outcome | None] | None,
) -> list[DisputeRecord]:
    def kept(r: DisputeRecord) -> bool:
        if agreement_id and r.agreement_id != agreement_id:
            return False
        if customer_id and r.customer_id != customer_id:
            return False
        if state is None:
            return True
        is_open, outcome = state
        return r.is_open if is_open else r.outcome is outcome

    return sorted((r for r in records if kept(r)), key=lambda r: r.opened_position)


class DisputeViewPropertyContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def engine(self, database_url: str) -> Iterator[Engine]:
        engine = read_models_engine_at(database_url)
        create_tables(engine, [DisputeViews.name])
        yield engine
        engine.dispose()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        steps=st.lists(step, min_size=1, max_size=25),
        batch_size=st.integers(1, 6),
        page=st.integers(1, 4),
        agreement_id=st.sampled_from(["", *AGREEMENTS]),
        customer_id=st.sampled_from(["", *CUSTOMERS]),
        state=st.sampled_from(STATES),
    )
    def test_every_page_of_the_listing_is_the_replay_of_its_disputes(
        self,
        engine: Engine,
        steps: list[Any],
        batch_size: int,
        page: int,
        agreement_id: str,
        customer_id: str,
        state: tuple[bool, Outcome | None] | None,
    ) -> None:
        _reset(engine)
        log, streams = _log_of(steps)
        BatchedProjectionRunner(engine, log.read_log, DisputeViews(), batch_size).catch_up()
        replayed = [r for events in streams.values() if (r := dispute_record(events)) is not None]

        listed: list[DisputeRecord] = []
        after = 0
        while rows := list_disputes(engine, agreement_id, customer_id, state, after, page):
            listed.extend(rows)
            after = rows[-1].opened_position

        assert listed == _expected(replayed, agreement_id, customer_id, state)


class TestDisputeViewPropertiesOnSQLite(DisputeViewPropertyContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestDisputeViewPropertiesOnPostgres(DisputeViewPropertyContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
