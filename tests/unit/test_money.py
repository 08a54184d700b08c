"""Money: ISO 4217 currencies, minor units, half-even rounding and decimal parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import Money, is_currency


def test_euro_is_a_currency() -> None:
    assert is_currency("EUR")


@pytest.mark.parametrize("code", ["XYZ", "eur", "", "EURO"])
def test_a_code_outside_iso_4217_is_not_a_currency(code: str) -> None:
    assert not is_currency(code)


@pytest.mark.parametrize(
    ("currency", "digits"), [("JPY", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("CLF", 4)]
)
def test_minor_unit_is_the_iso_4217_number_of_decimal_digits(currency: str, digits: int) -> None:
    assert Money(Decimal(1), currency).minor_unit == digits


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "USD", "2.34"),
        ("2.355", "USD", "2.36"),
        ("0.5", "JPY", "0"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "2"),
        ("1.0005", "BHD", "1.000"),
        ("1.0015", "BHD", "1.002"),
    ],
)
def test_rounding_goes_half_even_to_the_minor_unit(
    amount: str, currency: str, expected: str
) -> None:
    rounded = Money(Decimal(amount), currency).rounded()

    assert rounded.amount == Decimal(expected)
    assert rounded.amount.as_tuple().exponent == Decimal(expected).as_tuple().exponent


def test_rounding_keeps_the_currency() -> None:
    assert Money(Decimal("2.345"), "USD").rounded().currency == "USD"


def test_an_exact_amount_in_a_known_currency_has_no_problems() -> None:
    assert Money(Decimal("19.99"), "EUR").problems() == []


def test_zero_is_an_acceptable_amount() -> None:
    assert Money(Decimal("0"), "EUR").problems() == []


def test_an_unknown_currency_is_reported_against_the_currency_code() -> None:
    fields = [field for field, _ in Money(Decimal("1.00"), "XYZ").problems()]

    assert fields == ["currency_code"]


def test_a_negative_amount_is_reported() -> None:
    assert Money(Decimal("-0.01"), "EUR").problems() == [("amount", "must not be negative")]


def test_more_decimals_than_the_currency_has_is_reported() -> None:
    problems = Money(Decimal("1.005"), "USD").problems()

    assert [field for field, _ in problems] == ["amount"]
    assert "2 digits" in problems[0][1]


def test_any_decimals_in_a_currency_without_minor_unit_are_reported() -> None:
    assert [field for field, _ in Money(Decimal("100.5"), "JPY").problems()] == ["amount"]


def test_three_decimals_are_acceptable_in_a_three_digit_currency() -> None:
    assert Money(Decimal("1.005"), "BHD").problems() == []


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_amount_is_reported(amount: str) -> None:
    assert Money(Decimal(amount), "EUR").problems() == [("amount", "must be a finite decimal")]


def test_an_amount_too_large_to_round_is_judged_without_raising() -> None:
    problems = Money(Decimal("1E+26"), "USD").problems()

    assert [field for field, _ in problems] == ["amount"]


def test_an_amount_beyond_the_default_decimal_precision_still_rounds() -> None:
    assert Money(Decimal("1E+26"), "USD").rounded().amount == Decimal("1E+26")
