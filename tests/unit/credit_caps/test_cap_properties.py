"""Properties of the cap across objectives over random objectives, breaches, caps, closes and
recalculations: the CreditCapped entries appended along the way always equal a fresh allocation
of the credits as they stand (the replay oracle, domain/credit_cap_oracle.py), no fee period's
credits keep more than its cap, and the compliance report's net is what the credits keep."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credit_cap_allocation import CapCredit, allocate
from domain.credit_caps import CreditCap, CreditCapped
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed
from domain.terms import PeriodUnit
from tests.unit.credit_caps.cap_history import close, period_events, recalculate, reductions
from tests.unit.worked_examples.builders import APR, DAY, History, eur, objective, reading, terms

PROPERTY = settings(database=None, max_examples=60, deadline=None)
DAYS = 61  # April and May 2026
UNITS = st.sampled_from([PeriodUnit.DAY, PeriodUnit.WEEK, PeriodUnit.MONTH])
caps = st.one_of(
    st.integers(1, 100).map(lambda p: CreditCap(percent_of_fee=Decimal(p))),
    st.integers(0, 300_000).map(lambda c: CreditCap(amount=Decimal(c).scaleb(-2))),
)
objective_specs = st.lists(
    st.tuples(UNITS, st.integers(1, 100), st.sets(st.integers(0, DAYS - 1), max_size=DAYS)),
    min_size=1,
    max_size=3,
)


def _history(specs: list[tuple[PeriodUnit, int, set[int]]], cap: CreditCap) -> History:
    objectives = [
        objective(
            f"o{index}",
            period=unit,
            rules=ObjectiveRules(
                credit_policy=CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(pct)),)))
            ),
        )
        for index, (unit, pct, _bad) in enumerate(specs)
    ]
    history = History(replace(terms(*objectives, fee=eur("1000.00")), credit_cap=cap))
    for index, (_unit, _pct, bad) in enumerate(specs):
        history.measure(
            [
                reading(
                    APR + day * DAY + timedelta(hours=12),
                    0 if day in bad else 1000,
                    1000,
                    f"o{index}",
                )
                for day in range(DAYS)
            ]
        )
    return history


@PROPERTY
@given(
    specs=objective_specs,
    cap=caps,
    steps=st.lists(st.integers(1, DAYS), min_size=1, max_size=4),
    late=st.lists(st.tuples(st.integers(0, 2), st.integers(0, DAYS - 1)), max_size=3),
)
def test_the_appended_cap_entries_always_equal_a_fresh_allocation(
    specs: list[tuple[PeriodUnit, int, set[int]]],
    cap: CreditCap,
    steps: list[int],
    late: list[tuple[int, int]],
) -> None:
    history = _history(specs, cap)
    for day in sorted(set(steps)):
        close(history, APR + day * DAY)
    for index, day in late:
        objective_id = f"o{index % len(specs)}"
        at = APR + day * DAY + timedelta(hours=13)
        history.measure([reading(at, 10**9, 10**9, objective_id)])
        closed = history.folded().periods
        labels = sorted(
            label
            for (o, label), s in closed.items()
            if o == objective_id and s.closed.window_start <= at < s.closed.window_end
        )
        for label in labels:
            recalculate(history, objective_id, label)

    recorded, replayed = reductions(history)

    assert recorded == replayed


@PROPERTY
@given(specs=objective_specs, cap=caps)
def test_no_fee_period_keeps_more_than_its_cap_and_the_report_nets_what_is_kept(
    specs: list[tuple[PeriodUnit, int, set[int]]], cap: CreditCap
) -> None:
    history = _history(specs, cap)
    close(history, APR + DAYS * DAY)
    events = period_events(history)
    kept: dict[str, Decimal] = {}
    for event in events:
        if isinstance(event, CreditIssued):
            kept[event.originator_id] = (
                kept.get(event.originator_id, Decimal(0)) + event.amount.amount
            )
        elif isinstance(event, CreditAdjusted | CreditCapped):
            kept[event.originator_id] = (
                kept.get(event.originator_id, Decimal(0)) + event.delta.amount
            )
    fee_periods: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, CreditCapped):
            fee_periods.setdefault(event.fee_period_label, []).append(event.originator_id)
    caps_of = {e.fee_period_label: e.cap.amount for e in events if isinstance(e, CreditCapped)}
    closes = {e.originator_id: e for e in events if isinstance(e, PeriodClosed)}
    for label, cap_amount in caps_of.items():
        members = [
            s for s, c in closes.items() if c.window_start.strftime("%Y-%m") == label and s in kept
        ]
        assert sum(kept[s] for s in members) <= cap_amount
    assert all(amount >= 0 for amount in kept.values())
    report = history.report(APR + DAYS * DAY)
    net = report.credit_totals().get(("credit", "EUR"), Money(Decimal(0), "EUR")).amount
    assert net == sum(kept.values(), Decimal(0))


@settings(database=None, max_examples=200, deadline=None)
@given(
    cap_cents=st.integers(0, 10**6),
    amounts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6)), min_size=1, max_size=8),
)
def test_an_allocation_keeps_the_cap_or_everything_and_never_more_than_a_credit(
    cap_cents: int, amounts: list[tuple[int, int]]
) -> None:
    credits = [
        CapCredit(
            f"o{i}",
            f"2026-04-0{start + 1}",
            APR + start * DAY,
            eur(str(Decimal(c).scaleb(-2))),
            eur("0"),
            1,
        )
        for i, (start, c) in enumerate(amounts)
    ]

    shares = allocate(eur(str(Decimal(cap_cents).scaleb(-2))), credits)

    total = sum(c for _start, c in amounts)
    kept = sum(int(s.kept.amount.scaleb(2)) for s in shares.values())
    assert kept == min(total, cap_cents)
    assert all(Decimal(0) <= shares[c.key].kept.amount <= c.amount.amount for c in credits)
