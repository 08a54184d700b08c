"""Credits: proration of the fee."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.credits import prorated
from tests.unit.credits.outcomes import DAY, money


def test_ten_days_of_a_thirty_day_month_is_a_third_of_the_fee() -> None:
    # 3,000.00 x 10 / 30 = 1,000 exactly
    share = prorated(money("3000.00", "USD"), 10 * DAY, 30 * DAY)

    assert share == money("1000", "USD")


def test_one_day_of_a_thirty_one_day_month_is_a_thirty_first_of_the_fee() -> None:
    # 3,100.00 x 1 / 31 = 100 exactly
    share = prorated(money("3100.00", "EUR"), DAY, 31 * DAY)

    assert share == money("100", "EUR")


def test_a_prorated_fee_is_not_rounded_to_the_minor_unit() -> None:
    # 100.00 x 1 / 3 = 33.333... (50 significant digits), not 33.33
    share = prorated(money("100.00", "USD"), DAY, 3 * DAY)

    assert share.amount != Decimal("33.33")
    assert share.amount == Decimal("33." + "3" * 48)


def test_prorating_over_the_whole_period_gives_the_whole_fee() -> None:
    # 1,234.56 x 7 / 7 = 1,234.56
    assert prorated(money("1234.56", "USD"), 7 * DAY, 7 * DAY) == money("1234.56", "USD")


def test_prorating_counts_microseconds() -> None:
    # 1,000,000 x 1 us / 1 s (1,000,000 us) = 1
    share = prorated(money("1000000", "JPY"), timedelta(microseconds=1), timedelta(seconds=1))

    assert share == money("1", "JPY")


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (DAY, timedelta(0)),  # whole is zero
        (timedelta(0), -DAY),  # whole is negative
        (-DAY, 30 * DAY),  # part is negative
        (31 * DAY, 30 * DAY),  # part exceeds whole
    ],
)
def test_prorating_rejects_impossible_shares(part: timedelta, whole: timedelta) -> None:
    with pytest.raises(ValueError):
        prorated(money("3000.00", "USD"), part, whole)


def test_prorating_a_prorated_fee_rounds_only_once() -> None:
    # 100.00 x 1/3 = 33.33...3 (50 significant digits). x 4 = 133.33...32 (51 digits, kept
    # exact); / 1999 = 0.066700016675004168751042187760546940136735034183757 8789...
    # -> 50 digits, half-even: ...183758. Rounding the product to 50 digits first
    # (133.33...3) would give ...183757.
    third = prorated(money("100.00", "USD"), DAY, 3 * DAY)

    share = prorated(third, timedelta(microseconds=4), timedelta(microseconds=1999))

    assert share.amount == Decimal("0.066700016675004168751042187760546940136735034183758")
