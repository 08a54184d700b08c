"""Case objectives through period closing, recalculation and compliance, on SQLite and
PostgreSQL: a closed month's breach and credit worked out by hand, a late milestone after the
close and the compensations its recalculation appends, and the stream replay equal to the full
replay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.case_milestones import Milestone, MilestoneKind
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.money import Money
from domain.period_results import (
    BreachDetected,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodRecalculated,
)
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from service.workers.period_closer import PeriodCloser
from tests.clocks import SettableClock
from tests.unit.cases.timelines import case_objective, milestone, opened

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
# Below 90% of cases met: 10% of the fee; below 80%: 30%.
BANDS = CreditPolicy(
    BandsRule((CreditBand(Decimal(90), Decimal(10)), CreditBand(Decimal(80), Decimal(30))))
)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(NOW)


@pytest.fixture
def app(
    database_url: str, clock: SettableClock, make_terms: Callable[..., Any]
) -> Iterator[LedgerApplication]:
    """An agreement of 1,000 EUR a month whose objective resolves 90% of cases in 4 hours
    (all hours, UTC), with four cases in January and one opened on its last evening."""
    application = open_application(parse_database_url(database_url), clock=clock)
    terms = make_terms(
        time_zone="UTC",
        objectives=(case_objective("resolution", hours=4, target="90"),),
        credit_policy=BANDS,
    )
    application.commands.sign_agreement("a-1", terms, SIGNED_AT)
    application.cases.record("a-1", JANUARY)
    yield application
    application.close()


def _resolved(when: str, case_id: str) -> Milestone:
    return milestone(MilestoneKind.RESOLVED, when, case_id)


JANUARY = [
    opened("2026-01-05T10:00:00+00:00", "C1"),
    _resolved("2026-01-05T12:00:00+00:00", "C1"),  # 2 h: met
    opened("2026-01-06T10:00:00+00:00", "C2"),
    _resolved("2026-01-06T13:00:00+00:00", "C2"),  # 3 h: met
    opened("2026-01-07T10:00:00+00:00", "C3"),
    _resolved("2026-01-07T16:00:00+00:00", "C3"),  # 6 h: breached at 14:00
    opened("2026-01-08T10:00:00+00:00", "C4"),
    _resolved("2026-01-08T11:00:00+00:00", "C4"),  # 1 h: met
    opened("2026-01-31T22:00:00+00:00", "C6"),  # due 1 February 02:00: judged in February
]
LATE = [
    opened("2026-01-20T10:00:00+00:00", "C5"),
    _resolved("2026-01-20T11:00:00+00:00", "C5"),  # 1 h: met
]


def _close_january(app: LedgerApplication) -> list[Any]:
    return [logged.event for logged in app.commands.close_periods("a-1", FEBRUARY).events]


def test_a_closed_month_of_a_case_objective_is_breached_with_the_credit_of_its_band(
    app: LedgerApplication,
) -> None:
    events = _close_january(app)

    # 3 of the 4 cases judged in January met: 75% < 80% -> 30% of 1,000 EUR.
    closed, breach, credit = events
    assert isinstance(closed, PeriodClosed) and closed.period_label == "2026-01"
    assert [(f.good, f.total) for f in closed.figures if f.total] == [(Decimal(3), Decimal(4))]
    assert isinstance(breach, BreachDetected) and breach.attained == Decimal(75)
    assert isinstance(credit, CreditIssued) and credit.amount == Money(Decimal("300.00"), "EUR")


def test_the_background_closer_closes_a_month_of_a_case_objective_with_its_credit(
    app: LedgerApplication, clock: SettableClock
) -> None:
    closer = PeriodCloser(app, clock, timedelta(0), 60)

    closer.run_once()

    credits = [e for e in app.event_log.agreement_events("a-1") if isinstance(e, CreditIssued)]
    assert [(c.period_label, c.amount) for c in credits] == [
        ("2026-01", Money(Decimal("300.00"), "EUR"))
    ]


def test_a_milestone_in_a_closed_month_is_recorded_late(app: LedgerApplication) -> None:
    _close_january(app)

    recorded = app.cases.record("a-1", LATE)

    assert (recorded.new, recorded.late) == (2, 2)
    view = app.cases.get_case("a-1", "C5", NOW, NOW, 75)
    assert [m.late for m in view.milestones] == [True, True]


def test_a_milestone_of_a_month_not_closed_is_not_late(app: LedgerApplication) -> None:
    _close_january(app)

    recorded = app.cases.record("a-1", [_resolved("2026-02-01T08:00:00+00:00", "C6")])

    assert (recorded.new, recorded.late) == (1, 0)


def test_recalculating_after_a_late_case_appends_the_compensations(
    app: LedgerApplication,
) -> None:
    _close_january(app)
    app.cases.record("a-1", LATE)

    events = [
        logged.event for logged in app.commands.recalculate_period("a-1", "resolution", "2026-01")
    ]

    # 4 of 5 met: 80% is not below 80% but below 90% -> 10%, 100 EUR: the credit drops by 200.
    recalculated, adjusted = events
    assert isinstance(recalculated, PeriodRecalculated)
    assert isinstance(adjusted, CreditAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.delta) == (
        Money(Decimal("300.00"), "EUR"),
        Money(Decimal("100.00"), "EUR"),
        Money(Decimal("-200.00"), "EUR"),
    )


def test_the_stream_replay_of_a_case_objective_equals_the_full_replay(
    app: LedgerApplication, clock: SettableClock
) -> None:
    _close_january(app)
    as_of = datetime(2026, 2, 1, 5, 0, tzinfo=UTC)

    report, _ = app.compliance.by_stream_replay("a-1", "", as_of, clock.now)

    assert report == app.compliance.by_full_replay("a-1", "", as_of, clock.now)
    # C6 ran out at 02:00 on 1 February: the one case judged in February, breached.
    [track] = [t for t in report.objectives[0].tracks if t.total]
    assert (track.good, track.total, track.attained) == (Decimal(0), Decimal(1), Decimal(0))
    assert [(b.period_label, b.attained) for b in report.breaches] == [("2026-01", Decimal(75))]


def test_the_stream_replay_as_known_before_a_resolution_was_recorded_equals_the_full_replay(
    app: LedgerApplication, clock: SettableClock
) -> None:
    before = clock.now
    clock.now += timedelta(hours=1)
    app.cases.record("a-1", [_resolved("2026-01-31T23:00:00+00:00", "C6")])
    as_of = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)

    for known_at in (before, clock.now):
        report, _ = app.compliance.by_stream_replay("a-1", "", as_of, known_at)
        assert report == app.compliance.by_full_replay("a-1", "", as_of, known_at)
