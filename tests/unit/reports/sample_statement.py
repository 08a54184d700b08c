"""A statement built by hand, with figures worked out by hand, for the renderers' tests.

Agreement sla-acme (Example Cloud to Acme, fee USD 1,000.00 a month, UTC), March 2026:
- uptime: 43,200 good minutes of 43,416 counted (44,640 less 1,224 excluded or unread)
  = 99.502488% against 99.9: breached; the band below 99.9 credits 10% of the fee = USD 100.00.
- tickets: a cumulative goal of 310 tickets, 10 a day (310 x d/31 at the end of day d); 9 a day
  were closed, 279 by the end of the month: breached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from reports.statement import (
    AgreementStatement,
    AgreementSummary,
    Breach,
    BurnUp,
    BurnUpPoint,
    Claim,
    Credit,
    Exclusion,
    LedgerDigest,
    Money,
    ObjectiveStatement,
    Party,
    PeriodAttainment,
    Statement,
    Track,
)

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, tzinfo=UTC)
CLOSED_AT = datetime(2026, 4, 1, 0, 5, tzinfo=UTC)
DIGEST = LedgerDigest(42, "ab" * 32, datetime(2026, 4, 2, 9, 30, tzinfo=UTC))
USD_100 = Money(Decimal("100.00"), "USD")


def tickets_burn_up() -> BurnUp:
    """9 tickets a day against 10 a day (310 x d / 31)."""
    points = tuple(
        BurnUpPoint(
            day=date(2026, 3, d),
            at=MARCH + timedelta(days=d),
            actual=Decimal(9 * d),
            target=Decimal(10 * d),
        )
        for d in range(1, 32)
    )
    return BurnUp("tickets", "2026-03", "scheduled", "cumulative", "total", points)


def uptime_history() -> tuple[PeriodAttainment, ...]:
    """January met, February without data, March breached."""
    return (
        PeriodAttainment(
            "2026-01",
            datetime(2026, 1, 1, tzinfo=UTC),
            "scheduled",
            "met",
            Decimal("99.95"),
            Decimal("99.9"),
        ),
        PeriodAttainment(
            "2026-02",
            datetime(2026, 2, 1, tzinfo=UTC),
            "scheduled",
            "no data",
            None,
            Decimal("99.9"),
        ),
        PeriodAttainment(
            "2026-03", MARCH, "scheduled", "breached", Decimal("99.502488"), Decimal("99.9")
        ),
    )


def _objective(
    objective_id: str,
    description: str,
    track: Track,
    burn_up: tuple[BurnUp, ...] = (),
    history: tuple[PeriodAttainment, ...] = (),
) -> ObjectiveStatement:
    return ObjectiveStatement(
        objective_id=objective_id,
        description=description,
        indicator=track.indicator,
        period_label="2026-03",
        window_start=MARCH,
        window_end=APRIL,
        terms_version=1,
        status=track.status,
        closed=True,
        recalculations=0,
        tracks=(track,),
        burn_up=burn_up,
        history=history,
    )


def _uptime() -> ObjectiveStatement:
    track = Track(
        track="scheduled",
        indicator="ratio",
        status="breached",
        attained=Decimal("99.502488"),
        target=Decimal("99.9"),
        good=Decimal(43200),
        total=Decimal(43416),
        bad=Decimal(216),
        readings=43416,
        excluded=60,
        budget_remaining_percent=Decimal("-397.512438"),
        target_line=None,
    )
    return _objective("uptime", "API availability", track, history=uptime_history())


def _tickets() -> ObjectiveStatement:
    track = Track(
        track="scheduled",
        indicator="cumulative",
        status="breached",
        attained=Decimal(279),
        target=Decimal(310),
        good=Decimal(279),
        total=Decimal(310),
        bad=Decimal(31),
        readings=31,
        excluded=0,
        budget_remaining_percent=None,
        target_line=Decimal(310),
    )
    return _objective("tickets", "Tickets closed", track, burn_up=(tickets_burn_up(),))


def sample_statement() -> Statement:
    """The statement of sla-acme for 2026-03 read at DIGEST."""
    agreement = AgreementSummary(
        agreement_id="sla-acme",
        kind="customer-based",
        provider=Party("example-cloud", "Example Cloud"),
        customer=Party("acme", "Acme & Co"),
        status="active",
        terms_version=1,
        terms_effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        signed_at=datetime(2026, 1, 1, tzinfo=UTC),
        time_zone="UTC",
        fee=Money(Decimal("1000.00"), "USD"),
    )
    section = AgreementStatement(
        agreement=agreement,
        customer_id="acme",
        objectives=(_uptime(), _tickets()),
        breaches=(
            Breach(
                "uptime",
                "2026-03",
                "scheduled",
                Decimal("99.502488"),
                Decimal("99.9"),
                1,
                CLOSED_AT,
                False,
            ),
            Breach(
                "tickets", "2026-03", "scheduled", Decimal(279), Decimal(310), 1, CLOSED_AT, False
            ),
        ),
        credits=(
            Credit(
                "uptime",
                "2026-03",
                "credit_issued",
                USD_100,
                "below 99.9: 10% of fee",
                CLOSED_AT,
                "claimed",
            ),
        ),
        claims=(
            Claim(
                "uptime",
                "2026-03",
                "claimed",
                USD_100,
                "ACME-CLAIM-7",
                datetime(2026, 4, 2, 8, 0, tzinfo=UTC),
            ),
        ),
        exclusions=(
            Exclusion(
                "maint-1",
                "maintenance",
                datetime(2026, 3, 10, 2, 0, tzinfo=UTC),
                datetime(2026, 3, 10, 3, 0, tzinfo=UTC),
                "database upgrade",
                datetime(2026, 3, 12, 3, 0, tzinfo=UTC),
                timedelta(days=2),
                "counts",
            ),
        ),
        credit_totals=(USD_100,),
    )
    return Statement(
        title="Statement of sla-acme for 2026-03",
        period_label="2026-03",
        as_of=APRIL,
        known_at=DIGEST.recorded_at or APRIL,
        digest=DIGEST,
        agreements=(section,),
    )
