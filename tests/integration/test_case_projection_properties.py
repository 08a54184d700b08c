"""Property: compliance of case objectives from the case_judgements read model equals the full
replay for any history, as_of and known_at, however far the read model has got; and the read
model rebuilt from the log equals the one kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.case_milestones import CaseMilestoneRecorded, Milestone, MilestoneKind
from domain.identifiers import case_stream
from domain.instants import to_epoch_us
from domain.money import Money
from domain.objectives import CaseClock, ClockStop, ObjectiveRules, Schedule
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SettableClock

START = datetime(2026, 1, 1, tzinfo=UTC)
RECORDING = datetime(2026, 3, 1, tzinfo=UTC)
MINUTE = 60_000_000
RESPONSE = Objective(
    "response",
    "first_response",
    Decimal(80),
    PeriodUnit.MONTH,
    rules=ObjectiveRules(
        label_scope={"priority": "P1"},
        schedule=Schedule(days=(1, 2, 3, 4, 5), start_minute=9 * 60, end_minute=17 * 60),
        case_clock=CaseClock(ClockStop.FIRST_RESPONSE, 4 * 3600),
    ),
)
RESOLUTION = Objective(
    "resolution",
    "resolution",
    Decimal(90),
    PeriodUnit.WEEK,
    rules=ObjectiveRules(
        case_clock=CaseClock(
            ClockStop.RESOLUTION, 2 * 86_400, ("awaiting_customer", "awaiting_third_party")
        )
    ),
)


def _terms(response_hours: int = 4, zone: str = "UTC") -> AgreementTerms:
    clock = CaseClock(ClockStop.FIRST_RESPONSE, response_hours * 3600)
    response = replace(RESPONSE, rules=replace(RESPONSE.rules, case_clock=clock))
    return AgreementTerms(
        Party("acme"),
        Party("globex"),
        AgreementKind.CUSTOMER_BASED,
        ("desk",),
        zone,
        Fee(Money(Decimal("900.00"), "EUR"), PeriodUnit.MONTH),
        START,
        None,
        (
            response,
            RESOLUTION,
            Objective("availability", "availability", Decimal(99), PeriodUnit.MONTH),
        ),
    )


_NEXT = {
    "open": ["first_response", "paused", "resolved", "cancelled", "relabeled", "end"],
    "paused": ["resumed", "resolved", "cancelled", "relabeled", "end"],
    "resolved": ["reopened", "relabeled", "first_response", "end"],
    "cancelled": ["end"],
}
_AFTER = {"paused": "paused", "resumed": "open", "resolved": "resolved", "reopened": "open"}


def _timeline(data: st.DataObject, case_id: str) -> list[Milestone]:
    at = to_epoch_us(START) + data.draw(st.integers(0, 40 * 24 * 60)) * MINUTE
    priority = st.sampled_from(["P1", "P2"])
    timeline = [
        Milestone(case_id, MilestoneKind.OPENED, at, labels={"priority": data.draw(priority)})
    ]
    state, responded = "open", False
    for _ in range(6):
        choices = [k for k in _NEXT[state] if k != "first_response" or not responded]
        kind = data.draw(st.sampled_from(choices))
        if kind == "end":
            break
        at += data.draw(st.integers(0, 3 * 24 * 60)) * MINUTE
        labels = {"priority": data.draw(priority)} if kind == "relabeled" else None
        reason = (
            data.draw(st.sampled_from(["awaiting_customer", "other"])) if kind == "paused" else ""
        )
        timeline.append(Milestone(case_id, MilestoneKind(kind), at, labels=labels, reason=reason))
        responded = responded or kind == "first_response"
        state = "cancelled" if kind == "cancelled" else _AFTER.get(kind, state)
    return timeline


def _record(app: LedgerApplication, agreement_id: str, milestones: Sequence[Milestone]) -> None:
    """Append milestones to their cases' streams, recorded now (as RecordCaseEvents would)."""
    now = app.now()
    events: list[CaseMilestoneRecorded] = []
    versions: dict[str, int] = {}
    for m in milestones:
        stream = case_stream(agreement_id, m.case_id)
        if stream not in versions:
            versions[stream] = app.event_log.stream_heads([stream]).get(stream, 0)
        versions[stream] += 1
        events.append(
            CaseMilestoneRecorded(
                originator_id=stream,
                originator_version=versions[stream],
                timestamp=now,
                agreement_id=agreement_id,
                case_id=m.case_id,
                kind=m.kind.value,
                occurred_at_us=m.occurred_at_us,
                milestone_id=m.milestone_id,
                labels=m.labels,
                reason=m.reason,
            )
        )
    app.save(*events)


def _history(
    app: LedgerApplication, clock: SettableClock, agreement_id: str, data: st.DataObject
) -> None:
    """Cases recorded in batches at record times hours apart, milestones of a case possibly
    recorded after later ones (late), and perhaps an amendment between two batches."""
    timelines = [_timeline(data, f"c{i}") for i in range(data.draw(st.integers(1, 8)))]
    batches = data.draw(st.integers(1, 5))
    placed: list[list[Milestone]] = [[] for _ in range(batches)]
    for timeline in timelines:
        for m in timeline:
            placed[data.draw(st.integers(0, batches - 1))].append(m)
    amend_before = data.draw(st.integers(0, batches + 1))
    for index, batch in enumerate(placed):
        clock.now += timedelta(minutes=data.draw(st.integers(0, 300)))
        if index == amend_before:
            hours = data.draw(st.sampled_from([4, 8]))
            zone = data.draw(st.sampled_from(["UTC", "Europe/Berlin"]))
            effective = START + timedelta(days=data.draw(st.integers(0, 40)))
            app.commands.amend_agreement(agreement_id, _terms(hours, zone), effective)
            clock.now += timedelta(minutes=data.draw(st.integers(0, 90)))
        if batch:
            _record(app, agreement_id, batch)


class CaseProjectionContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def ledger(
        self, database_url: str
    ) -> Iterator[tuple[LedgerApplication, ReadModels, SettableClock]]:
        storage = parse_database_url(database_url)
        clock = SettableClock(RECORDING)
        app = open_application(storage, clock=clock)
        models = open_read_models(app, storage, create_tables=False)
        models.create()
        yield app, models, clock
        models.stop()
        app.close()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def test_case_compliance_from_the_read_model_equals_the_full_replay(
        self, ledger: tuple[LedgerApplication, ReadModels, SettableClock], data: st.DataObject
    ) -> None:
        app, models, clock = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        app.commands.sign_agreement(agreement_id, _terms(), START)
        _history(app, clock, agreement_id, data)
        lagging = BatchedProjectionRunner(
            models.engine, models.read_log, models.cases, batch_size=data.draw(st.integers(1, 7))
        )
        if data.draw(st.booleans()):
            lagging.catch_up()
        else:
            for _ in range(data.draw(st.integers(0, 12))):
                lagging.run_once()
        recorded = sorted({e.timestamp for e in app.event_log.agreement_events(agreement_id)})

        for _ in range(4):
            as_of = START + timedelta(minutes=data.draw(st.integers(0, 50 * 24 * 60)))
            known_at = data.draw(st.sampled_from(recorded)) + timedelta(
                minutes=data.draw(st.sampled_from([0, 0, 1, 59, 61, 600]))
            )
            fast, _ = app.compliance.from_rollups(agreement_id, "", as_of, known_at, models)
            full = app.compliance.by_full_replay(agreement_id, "", as_of, known_at)

            assert fast == full

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def test_the_case_judgements_rebuilt_from_the_log_equal_the_ones_kept(
        self, ledger: tuple[LedgerApplication, ReadModels, SettableClock], data: st.DataObject
    ) -> None:
        app, models, clock = ledger
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        app.commands.sign_agreement(agreement_id, _terms(), START)
        _history(app, clock, agreement_id, data)
        runner: Any = BatchedProjectionRunner(
            models.engine, models.read_log, models.cases, batch_size=data.draw(st.integers(1, 9))
        )
        runner.catch_up()
        models.catch_up()

        assert models.audit().first_difference is None


class TestCaseProjectionOnSQLite(CaseProjectionContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestCaseProjectionOnPostgres(CaseProjectionContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
