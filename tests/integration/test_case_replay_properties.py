"""The stream replay and the bounded close read only the case streams the case index names, and
answer exactly what the full replay and closing from the whole history answer: random cases of a
case objective, recorded in two batches (a prefix of each timeline, then the rest), a close in
between, every as_of of two months and every known_at."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement_history import fold_history
from domain.case_milestones import Milestone
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import from_epoch_us, to_epoch_us
from domain.money import Money
from domain.period_closing import close_due_periods, recalculate_period
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.app.application import LedgerApplication
from service.app.closing_plans import plan_close, recalculation_history
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock
from tests.unit.cases.case_strategies import START_US, case_objectives, timelines
from tests.unit.cases.timelines import HOUR_US

PROPERTY = settings(database=None, max_examples=100, deadline=None)
TERM_START = from_epoch_us(START_US)
RECORDED = datetime(2026, 6, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
LAST_DAY_US = to_epoch_us(datetime(2026, 4, 30, tzinfo=UTC))
POLICY = CreditPolicy(BandsRule((CreditBand(Decimal(90), Decimal(10)),)))


def _terms(zone: str, objective: Objective) -> AgreementTerms:
    return AgreementTerms(
        provider=Party("acme"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("desk",),
        time_zone=zone,
        fee=Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        term_start=TERM_START,
        term_end=None,
        objectives=(objective,),
        credit_policy=POLICY,
    )


@st.composite
def case_sets(draw: st.DrawFn) -> list[tuple[list[Milestone], int]]:
    """A few cases, each timeline with the length of the prefix recorded first; some are moved
    to the end of April, so that their clocks run into May."""
    count = draw(st.integers(1, 6))
    found = []
    for index in range(count):
        timeline = draw(timelines(f"T-{index}"))
        if draw(st.booleans()):
            # Opened on the last evening of April (UTC) or the night into May.
            opened_at = LAST_DAY_US + draw(st.integers(30, 50)) * HOUR_US // 2
            shift = opened_at - timeline[0].occurred_at_us
            timeline = [m._replace(occurred_at_us=m.occurred_at_us + shift) for m in timeline]
        found.append((timeline, draw(st.integers(1, len(timeline)))))
    return found


def _as_ofs(cases: Sequence[tuple[list[Milestone], int]]) -> list[datetime]:
    """Instants around every milestone and the month boundary."""
    instants = {MAY, MAY - timedelta(microseconds=1), RECORDED - timedelta(days=1)}
    for timeline, _ in cases:
        for m in timeline:
            instants.add(from_epoch_us(m.occurred_at_us))
            instants.add(from_epoch_us(m.occurred_at_us) + timedelta(hours=5))
    return sorted(instants)


@PROPERTY
@given(st.sampled_from(["UTC", "Europe/Berlin"]), case_objectives(), case_sets(), st.booleans())
def test_the_stream_replay_of_cases_equals_the_full_replay(
    zone: str,
    objective: Objective,
    cases: list[tuple[list[Milestone], int]],
    close_between: bool,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        clock = SettableClock(RECORDED)
        storage = parse_database_url(f"sqlite:///{Path(directory) / 'ledger.sqlite3'}")
        app = open_application(storage, clock=clock)
        try:
            known_ats = _record(app, clock, zone, objective, cases, close_between)
            for known_at in known_ats:
                for as_of in _as_ofs(cases):
                    stream, _ = app.compliance.by_stream_replay("a-1", "", as_of, known_at)
                    full = app.compliance.by_full_replay("a-1", "", as_of, known_at)
                    assert stream == full, (as_of, known_at)
        finally:
            app.close()


@PROPERTY
@given(st.sampled_from(["UTC", "Europe/Berlin"]), case_objectives(), case_sets(), st.booleans())
def test_the_bounded_close_of_cases_equals_closing_the_whole_history(
    zone: str,
    objective: Objective,
    cases: list[tuple[list[Milestone], int]],
    close_between: bool,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        clock = SettableClock(RECORDED)
        storage = parse_database_url(f"sqlite:///{Path(directory) / 'ledger.sqlite3'}")
        app = open_application(storage, clock=clock)
        try:
            _record(app, clock, zone, objective, cases, close_between)
            agreement = app.agreements.find_agreement("a-1")
            assert agreement is not None
            history = fold_history(app.event_log.agreement_events("a-1"))
            assert history is not None

            planned = plan_close(app.event_log, agreement, RECORDED, clock.now).events

            assert planned == close_due_periods(history, RECORDED, clock.now)
        finally:
            app.close()


@PROPERTY
@given(st.sampled_from(["UTC", "Europe/Berlin"]), case_objectives(), case_sets())
def test_recalculating_from_the_period_and_its_cases_equals_recalculating_the_whole_history(
    zone: str, objective: Objective, cases: list[tuple[list[Milestone], int]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        clock = SettableClock(RECORDED)
        storage = parse_database_url(f"sqlite:///{Path(directory) / 'ledger.sqlite3'}")
        app = open_application(storage, clock=clock)
        try:
            _record(app, clock, zone, objective, cases, close_between=True)
            agreement = app.agreements.find_agreement("a-1")
            assert agreement is not None
            full = fold_history(app.event_log.agreement_events("a-1"))
            assert full is not None
            oid = objective.objective_id
            bounded = recalculation_history(app.event_log, agreement, oid, "2026-04")

            assert recalculate_period(bounded, oid, "2026-04", clock.now) == recalculate_period(
                full, oid, "2026-04", clock.now
            )
        finally:
            app.close()


def _record(
    app: LedgerApplication,
    clock: SettableClock,
    zone: str,
    objective: Objective,
    cases: Sequence[tuple[list[Milestone], int]],
    close_between: bool,
) -> list[datetime]:
    """Sign, record the prefixes, maybe close April, record the rest; each record time."""
    app.commands.sign_agreement("a-1", _terms(zone, objective), TERM_START)
    known_ats = [clock.now]
    for batch in (
        [m for timeline, split in cases for m in timeline[:split]],
        [m for timeline, split in cases for m in timeline[split:]],
    ):
        clock.now += timedelta(hours=1)
        if batch:
            app.cases.record("a-1", batch)
        known_ats.append(clock.now)
        if close_between:
            clock.now += timedelta(minutes=1)
            app.commands.close_periods("a-1", MAY)
            close_between = False
            known_ats.append(clock.now)
    return known_ats
