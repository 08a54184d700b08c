"""Property: GetComplianceSeries from rollups (however far the rollups have got) and by stream
replay equal the oracle's series (one full-replay evaluation per point)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.compliance_series import Step
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import Indicator, ObjectiveRules
from domain.terms import AgreementTerms, Objective, PeriodUnit
from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner
from service.app.application import LedgerApplication
from service.app.compliance_series import SeriesQuestion
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.test_projection_properties import (
    START,
    _apply,
    _terms,
    latency_reading,
    minute_reading,
    rich_step,
)

LEADS = Objective(
    "leads",
    "qualified_leads",
    Decimal(0),
    PeriodUnit.MONTH,
    rules=ObjectiveRules(indicator=Indicator.CUMULATIVE, cumulative_target=Decimal(500)),
)
OBJECTIVES = ("availability", "latency", "leads")
MINUTES = 40 * 24 * 60
# Recalculating picks a label of any objective's periods for availability's: with leads' months
# beside availability's weeks it would name the wrong unit; periods' results never change a
# series anyway.
series_step = rich_step.filter(lambda step: step[0] != "recalculate")


def _with_leads(terms: AgreementTerms, zone: str) -> AgreementTerms:
    return AgreementTerms(
        **{**terms.__dict__, "objectives": (*terms.objectives, LEADS), "time_zone": zone}
    )


class SeriesOracleContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def ledger(self, database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
        storage = parse_database_url(database_url)
        app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
        models = open_read_models(app, storage, create_tables=False)
        models.create()
        yield app, models
        models.stop()
        app.close()

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=st.lists(series_step, min_size=0, max_size=8), data=st.data())
    def test_series_from_rollups_and_by_stream_replay_equal_the_oracles(
        self, ledger: tuple[LedgerApplication, ReadModels], steps: list[Any], data: st.DataObject
    ) -> None:
        app, models = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        zone = data.draw(st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]))
        app.commands.sign_agreement(agreement_id, _with_leads(_terms(latency=True), zone), START)
        leads = [
            Measurement("leads", f"n{m}", to_epoch_us(START + timedelta(minutes=m)), n, n)
            for m, n in data.draw(st.lists(minute_reading, min_size=1, max_size=100))
        ]
        measured = [
            ("measure minutes", data.draw(st.lists(minute_reading, min_size=20, max_size=200))),
            ("measure latency", data.draw(st.lists(latency_reading, min_size=20, max_size=100))),
        ]
        _apply(app, agreement_id, measured)
        app.ingest.record_measurements(agreement_id, leads)
        _apply(app, agreement_id, [*steps, *measured])
        lagging = BatchedProjectionRunner(
            models.engine, models.read_log, models.rollups, batch_size=2
        )
        for _ in range(data.draw(st.integers(0, 30))):
            lagging.run_once()
        recorded = sorted({e.timestamp for e in app.event_log.agreement_events(agreement_id)})

        for _ in range(2):
            question = SeriesQuestion(
                agreement_id=agreement_id,
                objective_id=data.draw(st.sampled_from(OBJECTIVES)),
                period_instant=START + timedelta(minutes=data.draw(st.integers(0, MINUTES))),
                as_of=START + timedelta(minutes=data.draw(st.integers(-60, MINUTES + 60))),
                known_at=data.draw(st.sampled_from(recorded)),
                step=data.draw(st.sampled_from([None, Step.DAY])),
            )
            try:
                expected = app.series.by_full_replay(question)
            except Exception as error:  # an objective an amendment took away: the same refusal
                with pytest.raises(type(error)):
                    app.series.from_rollups(question, models)
                continue
            fast, _ = app.series.from_rollups(question, models)
            replayed, _ = app.series.by_stream_replay(question)

            assert fast == expected
            assert replayed == expected


class TestSeriesOracleOnSQLite(SeriesOracleContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestSeriesOracleOnPostgres(SeriesOracleContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
