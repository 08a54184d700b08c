"""The allocation of a fee period's cap across objectives (domain/credit_cap_allocation.py),
computed by hand in each test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.credit_cap_allocation import CapCredit, allocate
from domain.money import Money

MAR_1 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def credit(
    objective_id: str, amount: str, start: datetime = MAR_1, label: str = "2026-03"
) -> CapCredit:
    return CapCredit(objective_id, label, start, eur(amount), eur("0.00"), 3)


def kept(cap: str, *credits: CapCredit) -> dict[str, Decimal]:
    shares = allocate(eur(cap), credits)
    return {f"{k[0]} {k[1]}": share.kept.amount for k, share in shares.items()}


def test_three_monthly_credits_over_the_cap_share_it_in_proportion() -> None:
    """EUR 1,000.00 a month, three monthly objectives credited 100%, 50% and 30% of the fee:
    1,000.00 + 500.00 + 300.00 = 1,800.00 before a cap of 100% of the fee = 1,000.00.

    All three windows start on 1 March: one group, sharing the whole cap, 100,000 cents, in
    proportion 100,000 : 50,000 : 30,000 (total 180,000):
      availability 100,000 x 100,000 / 180,000 = 55,555 rest 100,000
      latency      100,000 x  50,000 / 180,000 = 27,777 rest 140,000
      support      100,000 x  30,000 / 180,000 = 16,666 rest 120,000
    The floors total 99,998 cents; the 2 left go to the largest rests, latency then support:
    555.55 + 277.78 + 166.67 = 1,000.00; reductions 444.45, 222.22, 133.33 (800.00).
    """
    shares = allocate(
        eur("1000.00"),
        [
            credit("availability", "1000.00"),
            credit("latency", "500.00"),
            credit("support", "300.00"),
        ],
    )

    assert {k[0]: (s.kept.amount, s.reduction.amount) for k, s in shares.items()} == {
        "availability": (Decimal("555.55"), Decimal("444.45")),
        "latency": (Decimal("277.78"), Decimal("222.22")),
        "support": (Decimal("166.67"), Decimal("133.33")),
    }


def test_credits_within_the_cap_keep_their_amounts() -> None:
    # 300.00 + 200.00 = 500.00 <= 500.00: nothing is taken.
    assert kept("500.00", credit("a", "300.00"), credit("b", "200.00")) == {
        "a 2026-03": Decimal("300.00"),
        "b 2026-03": Decimal("200.00"),
    }


def test_earlier_windows_keep_theirs_and_the_crossing_group_shares_what_is_left() -> None:
    """A cap of EUR 100.00 for March, a daily and a weekly objective:
    latency 2026-03-01 (window from 1 March)   30.00 -> total 30.00, within: keeps 30.00
    latency 2026-03-02 and availability 2026-W10 (both from Monday 2 March) 40.00 + 60.00:
      30.00 + 100.00 = 130.00 > 100.00 -> they share the 70.00 left, 40 : 60 ->
      7,000 x 4,000 / 10,000 = 2,800 cents and 7,000 x 6,000 / 10,000 = 4,200 cents
    latency 2026-03-03 25.00: the cap was reached -> keeps 0.00.
    """
    shares = kept(
        "100.00",
        credit("latency", "25.00", MAR_1 + 2 * DAY, "2026-03-03"),
        credit("availability", "60.00", MAR_1 + DAY, "2026-W10"),
        credit("latency", "40.00", MAR_1 + DAY, "2026-03-02"),
        credit("latency", "30.00", MAR_1, "2026-03-01"),
    )

    assert shares == {
        "latency 2026-03-01": Decimal("30.00"),
        "latency 2026-03-02": Decimal("28.00"),
        "availability 2026-W10": Decimal("42.00"),
        "latency 2026-03-03": Decimal("0.00"),
    }


def test_a_group_that_exactly_fills_the_cap_keeps_everything_and_later_ones_nothing() -> None:
    # 60.00 + 40.00 = 100.00 = the cap: within it; the next day's 10.00 crosses it with no
    # room left -> 0 x its amount = 0.00.
    assert kept(
        "100.00",
        credit("a", "60.00"),
        credit("b", "40.00"),
        credit("a", "10.00", MAR_1 + DAY, "2026-03-02"),
    ) == {
        "a 2026-03": Decimal("60.00"),
        "b 2026-03": Decimal("40.00"),
        "a 2026-03-02": Decimal("0.00"),
    }


def test_equal_remainders_go_to_the_lowest_objective_id_first() -> None:
    # EUR 1.00 = 100 cents over three credits of 1.00: 100 x 100 / 300 = 33 rest 100 each;
    # 1 cent left goes to the lowest objective id, "a": 0.34, 0.33, 0.33.
    assert kept("1.00", credit("c", "1.00"), credit("a", "1.00"), credit("b", "1.00")) == {
        "a 2026-03": Decimal("0.34"),
        "b 2026-03": Decimal("0.33"),
        "c 2026-03": Decimal("0.33"),
    }


def test_a_cap_of_nothing_takes_every_credit_in_full() -> None:
    # Room 0: the first group shares 0 cents -> 0.00 each.
    assert kept("0.00", credit("a", "12.34"), credit("b", "0.01")) == {
        "a 2026-03": Decimal("0.00"),
        "b 2026-03": Decimal("0.00"),
    }


def test_a_credit_of_nothing_keeps_nothing_and_is_reduced_by_nothing() -> None:
    shares = allocate(eur("10.00"), [credit("a", "0.00"), credit("b", "50.00")])

    assert shares[("a", "2026-03")].reduction == eur("0.00")
    assert shares[("b", "2026-03")].reduction == eur("40.00")


def test_the_kept_amounts_of_a_crossing_group_add_up_to_the_room_exactly() -> None:
    # Room 100.00 - 0.01 = 99.99 after a first credit of 0.01; three credits of 1/3 each share
    # 9,999 cents: 3,333 each, nothing left over.
    shares = allocate(
        eur("100.00"),
        [
            credit("z", "0.01", MAR_1 - DAY, "2026-02-28"),
            credit("a", "100.00", MAR_1),
            credit("b", "100.00", MAR_1),
            credit("c", "100.00", MAR_1),
        ],
    )

    assert [shares[(o, "2026-03")].kept.amount for o in "abc"] == [Decimal("33.33")] * 3
