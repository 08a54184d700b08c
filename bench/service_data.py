"""The service SLA the service benchmarks load, its subscribers and readings, and the credits a
hand computation of that data gives.

The service `cloud` (provider acme, UTC, monthly) has two tiers: basic (availability 99.0%,
its own bands: below 99.0% 10% of the fee, below 95% 25%) and premium (availability 99.9%, the
service's bands: below 99.9% 10%, below 99.0% 25%). Its term starts on 1 April 2026. Subscriber
i (customer `customer-0000i`) is on premium when i % 10 < 4 (300 EUR a month), else on basic
(100 EUR a month); it joins on 16 April when i % 8 == 7 (a partial period: 15 of 30 days, the
fee pro-rated to half), else on 1 April; when i % 500 is 1 or 6 it has a customer-caused
exclusion of outage A (never one that joins late).

The readings are one a minute through April (43,200), 60/60 good except in two outages, 0/60:
A on 8 April 00:00-07:12 (432 minutes) and B on 22 April 00:00-01:48 (108 minutes). So by hand:
a whole month attains 1 - 540/43,200 = 98.75%; the second half (16 April on) 1 - 108/21,600 =
99.5%; a whole month without outage A 1 - 108/42,768 = 99.747...%. The baseline agreement
`single` is customer-based with premium's objective, bands and fee, on the same readings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.harness import scratch_schema
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from service.app.application import LedgerApplication

SERVICE = "cloud"
SINGLE = "single"
OBJECTIVE = "availability"
APRIL = datetime(2026, 4, 1, tzinfo=UTC)
MID_APRIL = datetime(2026, 4, 16, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
MONTH_MINUTES = 30 * 24 * 60
MINUTE_US = 60_000_000
OUTAGE_A = (datetime(2026, 4, 8, tzinfo=UTC), 432)
OUTAGE_B = (datetime(2026, 4, 22, tzinfo=UTC), 108)
PREMIUM_FEE = Fee(Money(Decimal("300.00"), "EUR"), PeriodUnit.MONTH)
BASIC_FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
SERVICE_BANDS = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.9"), Decimal(10)), CreditBand(Decimal(99), Decimal(25))))
)
BASIC_BANDS = CreditPolicy(
    BandsRule((CreditBand(Decimal(99), Decimal(10)), CreditBand(Decimal(95), Decimal(25))))
)


def availability(target: str) -> Objective:
    """Monthly availability (RATIO) at target percent."""
    return Objective(OBJECTIVE, "availability", Decimal(target), PeriodUnit.MONTH)


def service_terms() -> AgreementTerms:
    """The service SLA: basic and premium, from 1 April 2026."""
    return AgreementTerms(
        provider=Party("acme", "Acme Cloud"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=BASIC_FEE,
        term_start=APRIL,
        term_end=None,
        credit_policy=SERVICE_BANDS,
        tiers=(
            Tier("basic", "Basic", (availability("99.0"),), BASIC_BANDS),
            Tier("premium", "Premium", (availability("99.9"),)),
        ),
    )


def single_terms() -> AgreementTerms:
    """The baseline: one customer-based agreement on premium's objective, bands and fee."""
    return AgreementTerms(
        provider=Party("acme", "Acme Cloud"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute",),
        time_zone="UTC",
        fee=PREMIUM_FEE,
        term_start=APRIL,
        term_end=None,
        objectives=(availability("99.9"),),
        credit_policy=SERVICE_BANDS,
    )


@dataclass(frozen=True)
class Subscriber:
    """One subscriber of the plan: customer, tier, fee, start, and whether outage A is excluded
    for it alone."""

    customer_id: str
    tier_id: str
    fee: Fee
    start: datetime
    excluded: bool


def subscriber(index: int) -> Subscriber:
    """Subscriber index of the plan (see the module's docstring)."""
    premium = index % 10 < 4
    return Subscriber(
        f"customer-{index:05d}",
        "premium" if premium else "basic",
        PREMIUM_FEE if premium else BASIC_FEE,
        MID_APRIL if index % 8 == 7 else APRIL,
        index % 500 in (1, 6),
    )


def outage_a_exclusion(customer_id: str) -> Exclusion:
    """Outage A, caused by this customer alone."""
    start, minutes = OUTAGE_A
    return Exclusion(
        f"caused-by-{customer_id}",
        start,
        start + timedelta(minutes=minutes),
        ExclusionKind.CUSTOMER_CAUSED,
        "the customer's own misconfiguration",
        customer_id=customer_id,
    )


def is_down(minute: int) -> bool:
    """Whether the minute-th minute of April falls in outage A or B."""
    for start, minutes in (OUTAGE_A, OUTAGE_B):
        first = int((start - APRIL).total_seconds()) // 60
        if first <= minute < first + minutes:
            return True
    return False


def april_readings(first_minute: int = 0, count: int = MONTH_MINUTES) -> list[Measurement]:
    """count one-minute readings from April's first_minute-th minute on (60/60, or 0/60 down)."""
    start_us = to_epoch_us(APRIL)
    return [
        Measurement(OBJECTIVE, "", start_us + m * MINUTE_US, 0 if is_down(m) else 60, 60)
        for m in range(first_minute, first_minute + count)
    ]


def reading_batches(size: int) -> Iterator[list[Measurement]]:
    """April's readings in batches of size, in time order."""
    for first in range(0, MONTH_MINUTES, size):
        yield april_readings(first, min(size, MONTH_MINUTES - first))


def sign_service(app: LedgerApplication, subscribers: int) -> None:
    """Sign the service, subscribe the plan's first subscribers (one save) and record their
    exclusions."""
    app.commands.sign_agreement(SERVICE, service_terms(), APRIL)
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    plan = [subscriber(i) for i in range(subscribers)]
    subscriptions = [
        Subscription.subscribe(
            service, Party(s.customer_id), s.tier_id, s.fee, s.start, None, app.now()
        )
        for s in plan
    ]
    app.save(*subscriptions)
    for s in plan:
        if s.excluded:
            app.commands.record_exclusion(SERVICE, outage_a_exclusion(s.customer_id))


def sign_single(app: LedgerApplication, agreement_id: str) -> None:
    """Sign a baseline agreement."""
    app.commands.sign_agreement(agreement_id, single_terms(), APRIL)


def record_april(app: LedgerApplication, agreement_id: str, batch_size: int = 10_000) -> None:
    """Record April's readings for the agreement through the ingest (app.ingest), in batches."""
    for batch in reading_batches(batch_size):
        app.ingest.record_measurements(agreement_id, batch)


@dataclass(frozen=True)
class HandResult:
    """A group of subscribers judged alike, worked out by hand from the module's docstring."""

    label: str
    attained: str
    credit_line: str
    credit: Decimal  # each subscriber's credit in EUR; 0 when the period is not breached


# (tier, joins on 16 April, outage A excluded) -> what each such subscriber gets, by hand.
HAND: dict[tuple[str, bool, bool], HandResult] = {
    ("premium", False, False): HandResult(
        "premium, whole month", "98.75%", "< 99.0: 25% of 300.00", Decimal("75.00")
    ),
    ("premium", False, True): HandResult(
        "premium, whole month, A excluded", "99.747%", "< 99.9: 10% of 300.00", Decimal("30.00")
    ),
    ("premium", True, False): HandResult(
        "premium, from 16 April", "99.5%", "< 99.9: 10% of 150.00", Decimal("15.00")
    ),
    ("basic", False, False): HandResult(
        "basic, whole month", "98.75%", "< 99.0: 10% of 100.00", Decimal("10.00")
    ),
    ("basic", False, True): HandResult(
        "basic, whole month, A excluded", "99.747%", "met (>= 99.0)", Decimal(0)
    ),
    ("basic", True, False): HandResult("basic, from 16 April", "99.5%", "met", Decimal(0)),
}
SINGLE_CREDIT = Decimal("75.00")  # the baseline: premium's terms on the whole month


def hand_groups(subscribers: int) -> list[tuple[HandResult, int]]:
    """Each group of the plan's first subscribers with how many subscribers it has."""
    counts = dict.fromkeys(HAND, 0)
    for i in range(subscribers):
        s = subscriber(i)
        counts[s.tier_id, s.start == MID_APRIL, s.excluded] += 1
    return [(HAND[key], count) for key, count in counts.items()]


def print_hand_computation(subscribers: int) -> Decimal:
    """Print the hand computation of the subscribers' credits; their total."""
    groups = hand_groups(subscribers)
    print(f"{'hand computation: group':<36}{'count':>7}{'attained':>10}  {'credit':<24}{'EUR':>12}")
    total = Decimal(0)
    for group, count in groups:
        subtotal = group.credit * count
        total += subtotal
        line = f"{group.label:<36}{count:>7}{group.attained:>10}  {group.credit_line:<24}"
        print(f"{line}{subtotal:>12,.2f}")
    print(f"{'total':<36}{subscribers:>7}{'':>10}  {'':<24}{total:>12,.2f}")
    return total


@contextlib.contextmanager
def new_database(backend: str, workdir: Path, name: str, postgres_url: str | None) -> Iterator[str]:
    """A new empty database: a SQLite file in workdir, or a scratch PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'{name}.sqlite3'}"
        return
    assert postgres_url is not None
    with scratch_schema(postgres_url) as (url, _):
        yield url
