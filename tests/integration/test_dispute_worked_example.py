"""Worked examples, on each backend: a dispute about an exclusion, upheld (the exclusion is
revoked and the credit it erased comes back) and rejected while the exclusion awaits the
customer's acknowledgement (it counts, and the credit it erases is taken back)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.agreement import Agreement
from domain.disputes import DisputeSubject, Outcome, SubjectKind
from domain.exclusion_rules import ExclusionRules
from domain.exclusions import Exclusion, ExclusionKind
from domain.period_results import (
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    PeriodRecalculated,
)
from service.app.application import LedgerApplication
from service.app.disputes import Resolution
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SettableClock
from tests.integration.dispute_histories import (
    AGREEMENT,
    APR,
    MAY,
    agreement_terms,
    april_all_good,
    eur,
    reading,
)

# One failed reading of 1,000 requests on 10 April at 18:00 UTC, inside the exclusion.
OUTAGE = reading(datetime(2026, 4, 10, 18, tzinfo=UTC), 0, 1000)
MAINTENANCE = Exclusion(
    exclusion_id="maint-0410",
    start=datetime(2026, 4, 10, 17, tzinfo=UTC),
    end=datetime(2026, 4, 10, 19, tzinfo=UTC),
    kind=ExclusionKind.SCHEDULED_MAINTENANCE,
    reason="database upgrade",
)
SUBJECT = DisputeSubject(SubjectKind.EXCLUSION, exclusion_id="maint-0410")


@contextmanager
def _april(database_url: str, **terms: Any) -> Iterator[tuple[LedgerApplication, SettableClock]]:
    clock = SettableClock(datetime(2026, 4, 1, 1, tzinfo=UTC))
    app = open_application(parse_database_url(database_url), clock=clock)
    try:
        app.commands.sign_agreement(AGREEMENT, replace(agreement_terms(), **terms), APR)
        clock.now = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
        app.ingest.record_measurements(AGREEMENT, [*april_all_good(), OUTAGE])
        yield app, clock
    finally:
        app.close()


def _appended(app: LedgerApplication, resolution: Resolution) -> list[Any]:
    return [
        app.event_log.event_at(position).event
        for position in range(resolution.first_position + 1, resolution.last_position + 1)
    ]


def test_an_upheld_dispute_of_an_exclusion_brings_back_the_credit_it_erased(
    database_url: str,
) -> None:
    """With the exclusion: the 18:00 reading (0/1,000) lies in [17:00, 19:00) and leaves
    numerator and denominator: 30,000 good of 30,000 = 100% >= 99.9, April closes met, no credit.
    Upheld: ExclusionRevoked, and April recalculated with the reading: 30,000 good of 31,000 =
    96.774193...% < 99.0 and >= 95.0 -> 25% x EUR 1,000.00 = EUR 250.00 (April is a whole month
    of the term, so the period's fee is the whole fee), owed instead of EUR 0.00:
    CreditAdjusted before EUR 0.00, after EUR 250.00, delta +EUR 250.00."""
    with _april(database_url) as (app, clock):
        app.commands.record_exclusion(AGREEMENT, MAINTENANCE)
        clock.now = datetime(2026, 5, 2, tzinfo=UTC)
        app.commands.close_periods(AGREEMENT, MAY)
        app.disputes.open(AGREEMENT, "d-1", SUBJECT, "no maintenance was announced", "")
        clock.now += timedelta(days=3)

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "not announced")

        events = _appended(app, resolution)
        assert [type(e) for e in events] == [
            Agreement.ExclusionRevoked,
            PeriodRecalculated,
            BreachDetected,
            CreditAdjusted,
        ]
        assert events[0].dispute_id == "d-1"
        assert (events[-1].before, events[-1].after, events[-1].delta) == (
            eur("0.00"),
            eur("250.00"),
            eur("250.00"),
        )
        assert resolution.dispute.compensation_count == 4


def test_a_rejected_dispute_of_an_exclusion_awaiting_acknowledgement_makes_it_count(
    database_url: str,
) -> None:
    """The terms want acknowledgement of exclusions recorded after the period they touch closed.
    April closes without the exclusion: 30,000 good of 31,000 = 96.774193...% -> EUR 250.00.
    The exclusion, recorded on 3 May, awaits Globex's acknowledgement and changes nothing.
    Globex disputes it; rejected: ExclusionAcknowledged with the dispute's id, and April
    recalculated with it: 30,000 of 30,000 = 100%, met: BreachRetracted and CreditAdjusted
    before EUR 250.00, after EUR 0.00, delta -EUR 250.00."""
    rules = ExclusionRules(acknowledgement_after_days=30)
    with _april(database_url, exclusion_rules=rules) as (app, clock):
        clock.now = datetime(2026, 5, 2, tzinfo=UTC)
        app.commands.close_periods(AGREEMENT, MAY)
        clock.now = datetime(2026, 5, 3, tzinfo=UTC)
        app.commands.record_exclusion(AGREEMENT, MAINTENANCE)
        app.disputes.open(AGREEMENT, "d-1", SUBJECT, "this was no maintenance", "")

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.REJECTED, "it was")

        events = _appended(app, resolution)
        assert [type(e) for e in events] == [
            Agreement.ExclusionAcknowledged,
            PeriodRecalculated,
            BreachRetracted,
            CreditAdjusted,
        ]
        assert events[0].dispute_id == "d-1"
        assert events[-1].delta == eur("-250.00")


def test_a_rejected_dispute_of_an_exclusion_that_counts_appends_only_the_resolution(
    database_url: str,
) -> None:
    with _april(database_url) as (app, clock):
        app.commands.record_exclusion(AGREEMENT, MAINTENANCE)
        clock.now = datetime(2026, 5, 2, tzinfo=UTC)
        app.commands.close_periods(AGREEMENT, MAY)
        app.disputes.open(AGREEMENT, "d-1", SUBJECT, "no maintenance was announced", "")

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.REJECTED, "it was")

        assert resolution.appended_count == 1


def test_an_upheld_exclusion_dispute_recalculates_every_closed_period_the_exclusion_touches(
    database_url: str,
) -> None:
    """An exclusion from 30 April 11:00 to 1 May 13:00 UTC takes out the only failed readings,
    30 April and 1 May at 12:00 (0/1,000 each): April and May close met. Upheld, both are
    recalculated without it. April: 29 x 1,000 good of 30,000 = 96.666...% -> 25% x EUR
    1,000.00 = EUR 250.00. May: 30 x 1,000 good of 31,000 = 96.774...% -> EUR 250.00."""
    april = [*april_all_good()[:29], reading(datetime(2026, 4, 30, 12, tzinfo=UTC), 0, 1000)]
    may = [
        reading(MAY + timedelta(days=n, hours=12), 0 if n == 0 else 1000, 1000) for n in range(31)
    ]
    spanning = replace(
        MAINTENANCE,
        exclusion_id="maint-span",
        start=datetime(2026, 4, 30, 11, tzinfo=UTC),
        end=datetime(2026, 5, 1, 13, tzinfo=UTC),
    )
    clock = SettableClock(datetime(2026, 4, 1, 1, tzinfo=UTC))
    app = open_application(parse_database_url(database_url), clock=clock)
    try:
        app.commands.sign_agreement(AGREEMENT, agreement_terms(), APR)
        clock.now = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)
        app.ingest.record_measurements(AGREEMENT, [*april, *may])
        app.commands.record_exclusion(AGREEMENT, spanning)
        clock.now = datetime(2026, 6, 2, tzinfo=UTC)
        app.commands.close_periods(AGREEMENT, datetime(2026, 6, 1, tzinfo=UTC))
        subject = DisputeSubject(SubjectKind.EXCLUSION, exclusion_id="maint-span")
        app.disputes.open(AGREEMENT, "d-1", subject, "no maintenance was announced", "")

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "not announced")

        adjusted = [e for e in _appended(app, resolution) if isinstance(e, CreditAdjusted)]
        assert [(e.period_label, e.delta) for e in adjusted] == [
            ("2026-04", eur("250.00")),
            ("2026-05", eur("250.00")),
        ]
        assert resolution.dispute.compensation_count == 7
    finally:
        app.close()
