"""Worked examples of the cap across objectives through closes and recalculations, every figure
computed by hand in the comments (docs/semantics.md "Caps across objectives")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from domain.credit_caps import CreditCap, CreditCapped
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.objectives import ObjectiveRules
from domain.period_results import CreditAdjusted, CreditIssued
from domain.terms import PeriodUnit
from tests.unit.credit_caps.cap_history import close, recalculate, reductions
from tests.unit.worked_examples.builders import (
    APR,
    DAY,
    MAY,
    History,
    daily,
    eur,
    objective,
    of_type,
    reading,
    terms,
)


def credit_of(percent: int) -> ObjectiveRules:
    """Any attainment below 99.9 earns percent of the period fee."""
    band = CreditBand(Decimal("99.9"), Decimal(percent))
    return ObjectiveRules(credit_policy=CreditPolicy(BandsRule((band,))))


def three_objectives(cap: CreditCap | None) -> History:
    """EUR 1,000.00 a month from April 2026 (UTC); availability, latency and support credited
    100%, 50% and 30% of the fee when breached; every April day of each measured 0 of 1,000."""
    agreement_terms = terms(
        objective("availability", rules=credit_of(100)),
        objective("latency", rules=credit_of(50)),
        objective("support", rules=credit_of(30)),
        fee=eur("1000.00"),
    )
    history = History(replace(agreement_terms, credit_cap=cap))
    for objective_id in ("availability", "latency", "support"):
        history.measure(daily(APR, 30, 0, 1000, objective_id))
    return history


def capped_by_objective(events: Sequence[object]) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {
        e.objective_id: (e.reduction_before.amount, e.reduction_after.amount, e.delta.amount)
        for e in of_type(events, CreditCapped)
    }


def test_three_credits_over_a_cap_of_the_fee_share_the_fee_in_proportion() -> None:
    history = three_objectives(CreditCap(percent_of_fee=Decimal(100)))

    events = close(history, MAY)

    # Before the cap: 100% + 50% + 30% of EUR 1,000.00 = 1,000.00 + 500.00 + 300.00 = 1,800.00.
    # Cap: 100% x 1,000.00 = 1,000.00. All three windows start 1 April: one group sharing
    # 100,000 cents as 100,000 : 50,000 : 30,000 ->
    #   55,555 (rest 100,000), 27,777 (rest 140,000), 16,666 (rest 120,000) = 99,998;
    #   the 2 cents left go to latency and support -> 555.55, 277.78, 166.67.
    # Reductions 444.45, 222.22, 133.33; each CreditCapped delta is minus its reduction.
    assert [e.amount.amount for e in of_type(events, CreditIssued)] == [
        Decimal("1000.00"),
        Decimal("500.00"),
        Decimal("300.00"),
    ]
    assert capped_by_objective(events) == {
        "availability": (Decimal("0.00"), Decimal("444.45"), Decimal("-444.45")),
        "latency": (Decimal("0.00"), Decimal("222.22"), Decimal("-222.22")),
        "support": (Decimal("0.00"), Decimal("133.33"), Decimal("-133.33")),
    }
    capped = of_type(events, CreditCapped)[0]
    assert (capped.fee_period_label, capped.cap, capped.credits_before_cap) == (
        "2026-04",
        eur("1000.00"),
        eur("1800.00"),
    )


def test_the_compliance_report_nets_the_capped_credits_to_the_cap() -> None:
    history = three_objectives(CreditCap(percent_of_fee=Decimal(100)))
    close(history, MAY)

    report = history.report(MAY)

    # Lines: three issued (1,800.00) and three capped (-444.45 - 222.22 - 133.33 = -800.00):
    # net 1,000.00, the cap.
    kinds = [line.kind for line in report.credits]
    assert kinds.count("credit_issued") == 3 and kinds.count("credit_capped") == 3
    assert report.credit_totals()[("credit", "EUR")].amount == Decimal("1000.00")


def test_terms_without_a_cap_append_no_cap_entries() -> None:
    history = three_objectives(None)

    events = close(history, MAY)

    # 1,000.00 + 500.00 + 300.00 = 1,800.00 owed, nothing taken.
    assert of_type(events, CreditCapped) == []
    assert history.report(MAY).credit_totals()[("credit", "EUR")].amount == Decimal("1800.00")


def test_a_cap_amount_above_the_total_takes_nothing() -> None:
    history = three_objectives(CreditCap(amount=Decimal("1800.00")))

    # 1,800.00 <= 1,800.00: every credit keeps its amount.
    assert of_type(close(history, MAY), CreditCapped) == []


def test_a_recalculation_that_lowers_a_credit_gives_back_reductions_by_compensation() -> None:
    history = three_objectives(CreditCap(percent_of_fee=Decimal(100)))
    close(history, MAY)
    # A late reading of 1,000,000,000 good of 1,000,000,000 for support: attainment
    # 1,000,000,000 / 1,000,030,000 = 99.997% >= 99.9 -> support is met, its credit 300.00 -> 0.
    history.measure([reading(APR + 20 * DAY, 10**9, 10**9, "support")])

    events = recalculate(history, "support", "2026-04")

    # Before the cap now: 1,000.00 + 500.00 + 0.00 = 1,500.00 over the cap 1,000.00:
    #   100,000 x 100,000 / 150,000 = 66,666 rest 100,000; x 50,000 -> 33,333 rest 50,000;
    #   1 cent left to availability -> keeps 666.67, latency 333.33.
    # Reductions: availability 444.45 -> 333.33 (+111.12), latency 222.22 -> 166.67 (+55.55),
    # support 133.33 -> 0.00 (+133.33).
    assert [e.delta.amount for e in of_type(events, CreditAdjusted)] == [Decimal("-300.00")]
    assert capped_by_objective(events) == {
        "availability": (Decimal("444.45"), Decimal("333.33"), Decimal("111.12")),
        "latency": (Decimal("222.22"), Decimal("166.67"), Decimal("55.55")),
        "support": (Decimal("133.33"), Decimal("0.00"), Decimal("133.33")),
    }
    # Net: 1,800.00 - 300.00 - 800.00 + 111.12 + 55.55 + 133.33 = 1,000.00.
    assert history.report(MAY).credit_totals()[("credit", "EUR")].amount == Decimal("1000.00")


def test_a_later_close_never_reduces_an_earlier_days_credit() -> None:
    """A daily availability objective credited 100% of the day's fee, EUR 1,000.00 a month,
    a cap of EUR 50.00 a month; 1 to 3 April measured 0 of 1,000."""
    daily_objective = objective("availability", period=PeriodUnit.DAY, rules=credit_of(100))
    agreement_terms = terms(daily_objective, fee=eur("1000.00"))
    history = History(replace(agreement_terms, credit_cap=CreditCap(amount=Decimal("50.00"))))
    history.measure(daily(APR, 3, 0, 1000))

    # A day's fee: 1,000.00 x 1/30 = 33.333... -> credit 33.33 (rounded once).
    first = close(history, APR + DAY)
    # 1 April: 33.33 <= 50.00, within the cap.
    assert of_type(first, CreditCapped) == []
    second = close(history, APR + 2 * DAY)
    # 2 April: 33.33 + 33.33 = 66.66 > 50.00; 2 April alone shares the 16.67 left -> keeps
    # 16.67, reduced by 33.33 - 16.67 = 16.66. 1 April keeps its 33.33 (no entry).
    assert [(e.period_label, e.reduction_after.amount) for e in of_type(second, CreditCapped)] == [
        ("2026-04-02", Decimal("16.66"))
    ]
    third = close(history, APR + 3 * DAY)
    # 3 April: the cap was reached -> reduced by its whole 33.33.
    assert [(e.period_label, e.reduction_after.amount) for e in of_type(third, CreditCapped)] == [
        ("2026-04-03", Decimal("33.33"))
    ]


def test_a_weekly_credit_counts_toward_the_month_its_window_starts_in() -> None:
    """Weekly availability (100% of the week's fee) beside monthly latency (50%), EUR 1,000.00 a
    month, a cap of EUR 500.00; April and May 2026 measured 0 of 1,000 every day."""
    agreement_terms = terms(
        objective("availability", period=PeriodUnit.WEEK, rules=credit_of(100)),
        objective("latency", rules=credit_of(50)),
        fee=eur("1000.00"),
    )
    history = History(replace(agreement_terms, credit_cap=CreditCap(amount=Decimal("500.00"))))
    for objective_id in ("availability", "latency"):
        history.measure(daily(APR, 61, 0, 1000, objective_id))

    events = close(history, MAY + timedelta(days=4))

    # The weeks closed by 5 May: 2026-W14 (its window from the term start, Wed 1 April, to
    # Mon 6 April), W15 (6 April), W16 (13), W17 (20) and W18 (27 April to 4 May: it starts in
    # April, so it counts toward April). The April cap of 500.00 is shared in window order.
    capped = {e.period_label: e for e in of_type(events, CreditCapped)}
    issued = {e.period_label: e.amount for e in of_type(events, CreditIssued)}
    # W14's fee: the week 30 March to 6 April takes 2/31 of March's fee and 5/30 of April's:
    # 64.516129... + 166.666666... = 231.182795...; its window is 5 of its 7 days:
    # 231.182795... x 5/7 = 165.130568... -> credit 165.13.
    assert issued["2026-W14"] == eur("165.13")
    # Group of 1 April: latency 500.00 (50% x 1,000.00) + W14 165.13 = 665.13 > 500.00 -> they
    # share 50,000 cents as 50,000 : 16,513 (total 66,513):
    #   50,000 x 50,000 = 2,500,000,000 / 66,513 = 37,586 rest 42,382
    #   50,000 x 16,513 =   825,650,000 / 66,513 = 12,413 rest 24,131
    # 49,999 cents; the 1 left goes to latency (larger rest) -> latency keeps 375.87, W14
    # 124.13: reductions 500.00 - 375.87 = 124.13 and 165.13 - 124.13 = 41.00.
    assert capped["2026-04"].reduction_after == eur("124.13")
    assert capped["2026-W14"].reduction_after == eur("41.00")
    # Later April weeks keep nothing: reduced by their whole credit.
    for label in ("2026-W15", "2026-W16", "2026-W17", "2026-W18"):
        assert capped[label].reduction_after == issued[label]
    assert capped["2026-W18"].fee_period_label == "2026-04"


def test_the_entries_appended_always_equal_a_fresh_allocation() -> None:
    history = three_objectives(CreditCap(percent_of_fee=Decimal(60)))
    close(history, MAY)
    history.measure([reading(APR + 20 * DAY, 10**9, 10**9, "latency")])
    recalculate(history, "latency", "2026-04")

    recorded, replayed = reductions(history)

    # 60% of 1,000.00 = 600.00 over 1,000.00 + 300.00 (latency met now): 60,000 cents as
    # 100,000 : 30,000 -> 46,153 rest 110,000 and 13,846 rest 20,000; 1 cent to availability ->
    # 461.54 and 138.46: reductions 538.46 and 161.54.
    assert recorded == replayed
    assert sorted(r.amount for r in recorded.values()) == [Decimal("161.54"), Decimal("538.46")]
