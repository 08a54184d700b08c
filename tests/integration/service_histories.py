"""Random histories of a service SLA for the property tests: tiers with different targets, units
and bands; subscriptions starting and ending mid-period; tier changes; customer exclusions;
customer-labelled readings; amendments (some retroactive); and closes along the way."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import strategies as st
from psycopg import sql
from sqlalchemy.engine import make_url

from domain.agreement_history import fold_history
from domain.credit_policies import BandsRule, BonusRule, CreditBand, CreditPolicy
from domain.errors import LedgerError
from domain.exclusions import Exclusion, ExclusionKind
from domain.identifiers import subscription_stream
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.period_closing import close_due_periods
from domain.period_results import PeriodEvent
from domain.subscriber_views import CUSTOMER_LABEL, subscriber_history
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from service.app.application import LedgerApplication

SERVICE = "svc"
SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
DAYS = 100
# "c1-a" sorts between "c1"'s subscription stream and the period streams nested below it.
CUSTOMERS = ("c1", "c1-a", "d")
TIERS = ("basic", "premium")
zones = st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati"])
units = st.sampled_from([PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH, PeriodUnit.MONTH])
days = st.integers(0, DAYS - 1)
hours = st.integers(0, 24 * DAYS - 1).map(lambda h: timedelta(hours=h))
POLICIES = {
    "basic": CreditPolicy(BandsRule((CreditBand(Decimal(99), Decimal(10)),))),
    "premium": CreditPolicy(
        BandsRule((CreditBand(Decimal("99.9"), Decimal(10)), CreditBand(Decimal(99), Decimal(25)))),
        bonus=BonusRule(Decimal("99.95"), Decimal(5)),
    ),
}
FEES = {
    "basic": Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
    "premium": Fee(Money(Decimal("300.00"), "EUR"), PeriodUnit.MONTH),
}

# Per tier: objective id -> (unit, target, termination right after).
TierSpec = dict[str, dict[str, tuple[PeriodUnit, str, int | None]]]
objective_specs = st.dictionaries(
    st.sampled_from(["a", "b"]),
    st.tuples(units, st.sampled_from(["90", "99", "99.9"]), st.none() | st.integers(1, 3)),
    min_size=1,
)
tier_specs = st.fixed_dictionaries({tier: objective_specs for tier in TIERS})


class StridingClock:
    """A record clock that moves `stride` a reading (7 minutes by default), so that what is
    recorded a few calls before a close is outside the margin a close allows for concurrent
    records (service/app/service_close_reads.py CONCURRENT_MARGIN), and what just before it
    is inside."""

    def __init__(self, start: datetime = NOW, stride: timedelta = timedelta(minutes=7)) -> None:
        self.now = start
        self._stride = stride

    def __call__(self) -> datetime:
        self.now += self._stride
        return self.now


def service_terms(zone: str, tiers: TierSpec) -> AgreementTerms:
    """The service's terms: two tiers of the spec, from SIGNED_AT in zone."""
    return AgreementTerms(
        provider=Party("acme"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("api",),
        time_zone=zone,
        fee=FEES["basic"],
        term_start=SIGNED_AT,
        term_end=None,
        tiers=tuple(
            Tier(
                tier_id,
                tier_id.title(),
                tuple(
                    Objective(
                        oid,
                        "m",
                        Decimal(target),
                        unit,
                        rules=ObjectiveRules(termination_right_after=runs),
                    )
                    for oid, (unit, target, runs) in sorted(tiers[tier_id].items())
                ),
                POLICIES[tier_id],
            )
            for tier_id in TIERS
        ),
    )


customers = st.sampled_from(CUSTOMERS)
tiers = st.sampled_from(TIERS)
labels = st.sampled_from(["", "", "", *CUSTOMERS])
reading_rows = st.lists(st.tuples(hours, st.booleans(), labels), min_size=1, max_size=30)
# An hourly series: (first hour, hours, every how many readings one is bad, customer label).
series = st.tuples(
    hours, st.integers(24, 24 * DAYS), st.sampled_from([None, 2, 5, 10, 20, 50, 200]), labels
)
later = st.integers(1, 24 * 60).map(lambda h: timedelta(hours=h))


@st.composite
def steps(draw: st.DrawFn, max_steps: int = 10) -> list[tuple[str, Any]]:
    """A history of the service after its signing, ending with a close of everything due."""
    found: list[tuple[str, Any]] = [
        ("subscribe", (draw(customers), draw(tiers), draw(hours), draw(st.none() | hours))),
        ("series", draw(series)),
    ]
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(
            st.sampled_from(
                [
                    *("subscribe", "change", "end", "read", "series", "series", "exclude"),
                    *("amend", "close", "close", "terminate"),
                ]
            )
        )
        if kind == "subscribe":
            value: Any = (draw(customers), draw(tiers), draw(hours), draw(st.none() | hours))
        elif kind in ("change", "end"):
            value = (draw(customers), draw(tiers), draw(later))
        elif kind == "read":
            value = draw(reading_rows)
        elif kind == "series":
            value = draw(series)
        elif kind == "terminate":
            value = draw(hours)
        elif kind == "exclude":
            customer = draw(st.sampled_from(["", *CUSTOMERS]))
            value = (customer, draw(hours), draw(st.integers(1, 72)))
        elif kind == "amend":
            value = (draw(zones), draw(tier_specs), draw(hours), draw(st.booleans()))
        else:
            value = draw(days)
        found.append((kind, value))
    found.append(("close", DAYS))
    return found


def apply_step(app: LedgerApplication, kind: str, value: Any, index: int) -> None:
    """Carry out one step; a step the ledger refuses (a rule it breaks) leaves no trace."""
    with contextlib.suppress(LedgerError):
        _apply(app, kind, value, index)


def _apply(app: LedgerApplication, kind: str, value: Any, index: int) -> None:
    if kind == "subscribe":
        customer, tier_id, start, end = value
        at_end = SIGNED_AT + start + end + timedelta(hours=1) if end is not None else None
        subs = app.subscriptions
        subs.subscribe(SERVICE, Party(customer), tier_id, FEES[tier_id], SIGNED_AT + start, at_end)
    elif kind in ("change", "end"):
        customer, tier_id, after = value
        subscription = app.subscriptions.find(SERVICE, customer)
        if subscription is None:
            return
        at = subscription.start + after
        if kind == "change":
            app.subscriptions.change_tier(SERVICE, customer, tier_id, FEES[tier_id], at)
        else:
            app.subscriptions.end(SERVICE, customer, at)
    elif kind == "read":
        app.ingest.record_measurements(SERVICE, _readings(app, value, index))
    elif kind == "series":
        first, count, bad_every, customer = value
        rows = [
            (first + timedelta(hours=i), bad_every is not None and i % bad_every == 0, customer)
            for i in range(count)
        ]
        app.ingest.record_measurements(SERVICE, _readings(app, rows, index))
    elif kind == "terminate":
        app.commands.terminate_agreement(SERVICE, SIGNED_AT + value)
    elif kind == "exclude":
        customer, at, length = value
        start = SIGNED_AT + at
        exclusion = Exclusion(
            f"x{index}",
            start,
            start + timedelta(hours=length),
            ExclusionKind.CUSTOMER_CAUSED if customer else ExclusionKind.SCHEDULED_MAINTENANCE,
            "agreed",
            customer_id=customer,
        )
        app.commands.record_exclusion(SERVICE, exclusion)
    elif kind == "amend":
        zone, spec, at, retroactive = value
        terms = service_terms(zone, spec)
        app.commands.amend_agreement(SERVICE, terms, SIGNED_AT + at, retroactive=retroactive)


def _readings(
    app: LedgerApplication, rows: list[tuple[timedelta, bool, str]], index: int
) -> list[Measurement]:
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    return [
        Measurement(
            oid,
            "",
            to_epoch_us(SIGNED_AT + at) + index * 1000 + i,
            90 if bad else 100,
            100,
            None,
            {CUSTOMER_LABEL: customer} if customer else None,
        )
        for i, (at, bad, customer) in enumerate(rows)
        for oid in service.objective_ids
    ]


def content(event: Any) -> tuple[Any, ...]:
    """An event without its record time."""
    return (
        type(event).__name__,
        *(getattr(event, f.name) for f in fields(event) if f.name != "timestamp"),
    )


def expected_closes(app: LedgerApplication, until: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Per subscriber, what closing every due period of its view of the whole history appends
    (domain.period_closing.close_due_periods)."""
    events = app.event_log.agreement_events(SERVICE)
    expected = {}
    customer_ids = sorted(
        e.customer.party_id for e in events if isinstance(e, Subscription.Subscribed)
    )
    for customer_id in customer_ids:
        stream = subscription_stream(SERVICE, customer_id)
        subscription = replay_subscription(
            [e for e in events if isinstance(e, Subscription.Event) and e.originator_id == stream]
        )
        assert subscription is not None
        own = [e for e in events if not isinstance(e, PeriodEvent) or e.customer_id == customer_id]
        history = fold_history(own)
        assert history is not None
        view = subscriber_history(history, subscription)
        expected[customer_id] = [content(e) for e in close_due_periods(view, until, NOW)]
    return expected


@contextlib.contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """The URL of a new database for one example: a SQLite file, or a new schema on the
    PostgreSQL server at server_url, dropped afterwards."""
    if server_url is None:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'ledger.sqlite3'}"
        return
    parsed = make_url(server_url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield parsed.update_query_dict({"schema": schema}).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(
            dbname=parsed.database,
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password or "",
            autocommit=True,
        ) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )
