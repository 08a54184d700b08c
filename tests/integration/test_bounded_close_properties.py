"""Closing a bounded number of periods a call, from the streams each close needs, appends exactly
what closing everything due from the whole history appends, over random amendments (recorded
before and after closes), readings, breach runs with termination rights and terminations."""

from __future__ import annotations

import tempfile
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement_history import fold_history
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.period_closing import close_due_periods
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from service.app.application import LedgerApplication
from service.bootstrap import open_application

PROPERTY = settings(database=None, max_examples=30, deadline=None)
SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
DAYS = 120
zones = st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
units = st.sampled_from([PeriodUnit.DAY, PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH])
days = st.sampled_from(range(DAYS)).map(lambda d: timedelta(days=d, hours=7))
POLICY = CreditPolicy(BandsRule((CreditBand(Decimal(99), Decimal(10)),)))


class Clock:
    """A clock that moves one second a call, from NOW."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _terms(zone: str, objectives: dict[str, tuple[PeriodUnit, int]]) -> AgreementTerms:
    return AgreementTerms(
        provider=Party("acme"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("api",),
        time_zone=zone,
        fee=Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        term_start=SIGNED_AT,
        term_end=None,
        objectives=tuple(
            Objective(
                oid,
                "m",
                Decimal("99"),
                unit,
                rules=ObjectiveRules(termination_right_after=runs, credit_policy=POLICY),
            )
            for oid, (unit, runs) in sorted(objectives.items())
        ),
    )


objective_sets = st.dictionaries(
    st.sampled_from(["a", "b"]), st.tuples(units, st.integers(1, 4)), min_size=1
)


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A history: readings, amendments, closes (until an instant) and maybe a termination."""
    found: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["read", "read", "amend", "close", "close"]))
        if kind == "read":
            found.append(
                ("read", draw(st.lists(st.tuples(days, st.booleans()), min_size=1, max_size=40)))
            )
        elif kind == "amend":
            found.append(("amend", (draw(zones), draw(objective_sets), draw(days))))
        else:
            found.append(("close", draw(days)))
    if draw(st.booleans()):
        found.append(("terminate", draw(days)))
    found.append(("close", timedelta(days=DAYS)))
    return found


def _readings(objectives: list[str], rows: list[tuple[timedelta, bool]]) -> list[Measurement]:
    return [
        Measurement(oid, "", to_epoch_us(SIGNED_AT + at) + i, 90 if bad else 100, 100)
        for i, (at, bad) in enumerate(rows)
        for oid in objectives
    ]


def _content(event: Any) -> tuple[Any, ...]:
    """An event without its record time."""
    return (
        type(event).__name__,
        *(getattr(event, f.name) for f in fields(event) if f.name != "timestamp"),
    )


@PROPERTY
@given(zones, objective_sets, steps(), st.integers(2, 9))
def test_bounded_closes_append_what_a_close_of_the_whole_history_appends(
    zone: str,
    objectives: dict[str, tuple[PeriodUnit, int]],
    history: list[tuple[str, Any]],
    limit: int,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = open_application(f"sqlite:///{Path(directory) / 'l.sqlite3'}", clock=Clock())
        try:
            app.commands.sign_agreement("sla-1", _terms(zone, objectives), SIGNED_AT)
            known = sorted(objectives)
            terminated = False
            for kind, value in history:
                if kind == "read":
                    app.ingest.record_measurements("sla-1", _readings(known, value))
                elif kind == "amend" and not terminated:
                    amended_zone, amended, at = value
                    app.commands.amend_agreement(
                        "sla-1", _terms(amended_zone, amended), SIGNED_AT + at
                    )
                    known = sorted(set(known) | set(amended))
                elif kind == "terminate" and not terminated:
                    app.commands.terminate_agreement("sla-1", SIGNED_AT + value)
                    terminated = True
                elif kind == "close":
                    _check_close(app, SIGNED_AT + value, limit)
        finally:
            app.close()


def _check_close(app: LedgerApplication, until: datetime, limit: int) -> None:
    folded = fold_history(app.event_log.agreement_events("sla-1"))
    assert folded is not None
    expected = [_content(e) for e in close_due_periods(folded, until, NOW)]
    appended: list[Any] = []
    while True:
        closed = app.commands.close_periods("sla-1", until, limit=limit)
        appended.extend(logged.event for logged in closed.events)
        if not closed.more_due:
            break
    assert [_content(e) for e in appended] == expected
