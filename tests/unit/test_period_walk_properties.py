"""The walk's shortcut to an instant gives exactly what walking every period from the term start
gives, over random amendments (units, zones, objectives added and removed, retroactive ones),
term ends and terminations."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement import Agreement
from domain.money import Money
from domain.period_walk import PeriodWindow, period_at, walk_periods
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

PROPERTY = settings(database=None, max_examples=150, deadline=None)
SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 1_200
# Kiritimati is UTC+14 and Pago Pago UTC-11: a move between them shifts a calendar by a day;
# Apia skipped 2011-12-30, Santiago changes its clocks at midnight, Kathmandu is +05:45.
zones = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "America/Santiago",
        "Asia/Kathmandu",
        "Pacific/Apia",
    ]
)
units = st.sampled_from([PeriodUnit.DAY, PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH])
# Days drawn uniformly (integers would mostly be small), so walks reach far and jump.
offsets = st.builds(
    lambda days, seconds: timedelta(days=days, seconds=seconds),
    st.sampled_from(range(DAYS)),
    st.integers(0, 86_399),
)


def _terms(
    zone: str, objectives: dict[str, PeriodUnit], start: datetime, end: datetime | None
) -> AgreementTerms:
    return AgreementTerms(
        provider=Party("acme"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("api",),
        time_zone=zone,
        fee=Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        term_start=start,
        term_end=end,
        objectives=tuple(
            Objective(oid, "m", Decimal("99"), unit) for oid, unit in sorted(objectives.items())
        ),
    )


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    start = SIGNED_AT + draw(st.integers(-400, 0)) * timedelta(days=1)
    term_end = st.none() | offsets.map(lambda offset: SIGNED_AT + offset + timedelta(days=1))
    objective_sets = st.dictionaries(st.sampled_from(["a", "b"]), units, min_size=1)
    first = draw(objective_sets) | {"a": draw(units)}
    agreement = Agreement.sign(
        "sla-1", _terms(draw(zones), first, start, draw(term_end)), SIGNED_AT, SIGNED_AT
    )
    for number in range(draw(st.integers(0, 3))):
        effective = SIGNED_AT + draw(offsets)
        terms = _terms(draw(zones), draw(objective_sets), start, draw(term_end))
        agreement.amend(
            terms,
            effective,
            draw(st.booleans()),
            "change",
            SIGNED_AT + timedelta(seconds=number + 1),
        )
    if draw(st.booleans()):
        agreement.terminate(SIGNED_AT + draw(offsets), "ended", SIGNED_AT + timedelta(seconds=9))
    return agreement


instants = offsets.map(lambda offset: SIGNED_AT - timedelta(days=450) + offset)


def _until(walk: Iterable[PeriodWindow], horizon: datetime) -> list[PeriodWindow]:
    return list(itertools.takewhile(lambda period: period.window_start < horizon, walk))


def _walked_period_at(
    agreement: Agreement, objective_id: str, instant: datetime
) -> PeriodWindow | None:
    """period_at as it was: walking every period from the term start."""
    last = None
    for candidate in walk_periods(agreement, objective_id):
        if candidate.window_end > instant:
            return candidate if candidate.window_start <= instant else last
        last = candidate
    return last


@PROPERTY
@given(agreements(), st.sampled_from(["a", "b"]), instants)
def test_the_period_found_directly_is_the_period_the_walk_reaches(
    agreement: Agreement, objective_id: str, instant: datetime
) -> None:
    assert period_at(agreement, objective_id, instant) == _walked_period_at(
        agreement, objective_id, instant
    )


@PROPERTY
@given(agreements(), st.sampled_from(["a", "b"]), instants)
def test_a_walk_towards_an_instant_leaves_out_only_periods_ending_before_it(
    agreement: Agreement, objective_id: str, instant: datetime
) -> None:
    horizon = instant + timedelta(days=100)
    everything = _until(walk_periods(agreement, objective_id), horizon)
    towards = _until(walk_periods(agreement, objective_id, near=instant), horizon)

    given = iter(towards)
    expected = next(given, None)
    for period in everything:  # towards is everything with some periods left out, in order
        if period == expected:
            expected = next(given, None)
        else:
            assert period.window_end <= instant
    assert expected is None


def test_a_daily_walk_of_two_centuries_reaches_its_last_day_directly() -> None:
    agreement = Agreement.sign(
        "sla-1",
        _terms("Europe/Berlin", {"a": PeriodUnit.DAY}, datetime(2000, 1, 1, tzinfo=UTC), None),
        SIGNED_AT,
        SIGNED_AT,
    )
    instant = datetime(2199, 6, 1, 12, tzinfo=UTC)

    found = period_at(agreement, "a", instant)

    assert found is not None
    assert found.period.label == "2199-06-01"
    assert len(_until(walk_periods(agreement, "a", near=instant), instant)) < 10
