"""Computed figures are shown with at most 6 decimals, money with its currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.display import shown, shown_money, shown_policy_line, shown_text
from domain.money import Money


@pytest.mark.parametrize(
    ("exact", "displayed"),
    [
        ("81.666666666666666666666666666666666666666666666667", "81.666667"),
        ("0.0000005", "0.000000"),  # half-even: to the even neighbour
        ("0.0000015", "0.000002"),
        ("-0.0000001", "0.000000"),  # never a negative zero
        ("-12.34567891", "-12.345679"),
    ],
)
def test_a_figure_with_more_than_six_decimals_is_rounded_half_even(
    exact: str, displayed: str
) -> None:
    assert str(shown(Decimal(exact))) == displayed


@pytest.mark.parametrize("exact", ["99.9", "100", "0.123456", "42"])
def test_a_figure_with_six_decimals_or_fewer_is_shown_as_it_is(exact: str) -> None:
    assert str(shown(Decimal(exact))) == exact


@pytest.mark.parametrize(
    ("amount", "currency", "displayed"),
    [
        ("225.80645161290322580645161290322580645161290322581", "EUR", "225.81"),
        ("1234.5", "JPY", "1234"),
        ("0.0005", "BHD", "0.000"),
        ("1000", "EUR", "1000"),
    ],
)
def test_money_is_shown_with_at_most_its_currencys_minor_unit(
    amount: str, currency: str, displayed: str
) -> None:
    assert str(shown_money(Money(Decimal(amount), currency)).amount) == displayed


def test_every_long_number_of_a_policy_line_is_shown_to_six_places() -> None:
    line = (
        "steps: attainment 99.16666666666666666666666666666666666666666666666667% is "
        "0.33333333333333333333333333333333333333333333333333 points below 99.5% -> "
        "1 started step of 0.5 points x 5% -> 5% of fee"
    )

    assert shown_policy_line(line) == (
        "steps: attainment 99.166667% is 0.333333 points below 99.5% -> "
        "1 started step of 0.5 points x 5% -> 5% of fee"
    )


@pytest.mark.parametrize(
    ("text", "displayed"), [("", ""), ("99.9", "99.9"), ("49.12345678", "49.123457")]
)
def test_a_stored_figure_is_shown_to_six_places(text: str, displayed: str) -> None:
    assert shown_text(text) == displayed
