"""The terms' cap across objectives: exactly one of percent_of_fee (0 < p <= 100) and amount
(>= 0, in the fee's currency), named by its field path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from domain.credit_caps import CreditCap
from domain.money import Money
from domain.terms import AgreementTerms

MakeTerms = Callable[..., AgreementTerms]


def fields_of(terms: AgreementTerms) -> list[str]:
    return [violation.field for violation in terms.violations()]


def test_terms_without_a_cap_across_objectives_have_none(make_terms: MakeTerms) -> None:
    assert make_terms().credit_cap is None


@pytest.mark.parametrize("percent", ["0.000001", "50", "100"])
def test_a_cap_of_a_percent_above_0_up_to_100_is_accepted(
    make_terms: MakeTerms, percent: str
) -> None:
    assert fields_of(make_terms(credit_cap=CreditCap(percent_of_fee=Decimal(percent)))) == []


@pytest.mark.parametrize("percent", ["0", "-1", "100.000001", "NaN", "Infinity"])
def test_a_cap_percent_of_0_or_outside_up_to_100_is_refused(
    make_terms: MakeTerms, percent: str
) -> None:
    terms = make_terms(credit_cap=CreditCap(percent_of_fee=Decimal(percent)))

    assert fields_of(terms) == ["terms.credit_cap.percent_of_fee"]


@pytest.mark.parametrize("amount", ["0", "0.01", "999999999999999.99"])
def test_a_cap_amount_of_0_or_more_is_accepted(make_terms: MakeTerms, amount: str) -> None:
    assert fields_of(make_terms(credit_cap=CreditCap(amount=Decimal(amount)))) == []


@pytest.mark.parametrize("amount", ["-0.01", "1000000000000000", "0.001", "NaN"])
def test_a_negative_huge_or_too_precise_cap_amount_is_refused(
    make_terms: MakeTerms, amount: str
) -> None:
    terms = make_terms(credit_cap=CreditCap(amount=Decimal(amount)))

    assert fields_of(terms) == ["terms.credit_cap.amount"]


def test_a_cap_amount_keeps_to_the_fee_currencys_minor_unit(make_terms: MakeTerms) -> None:
    fee = make_terms().fee
    yen = type(fee)(Money(Decimal(100000), "JPY"), fee.period)

    terms = make_terms(fee=yen, credit_cap=CreditCap(amount=Decimal("10.5")))

    assert fields_of(terms) == ["terms.credit_cap.amount"]


def test_a_cap_with_neither_percent_nor_amount_is_refused(make_terms: MakeTerms) -> None:
    assert fields_of(make_terms(credit_cap=CreditCap())) == ["terms.credit_cap"]


def test_a_cap_with_both_percent_and_amount_is_refused(make_terms: MakeTerms) -> None:
    cap = CreditCap(percent_of_fee=Decimal(50), amount=Decimal(100))

    assert fields_of(make_terms(credit_cap=cap)) == ["terms.credit_cap"]


def test_a_percent_cap_is_that_share_of_the_fee_rounded_once_half_even() -> None:
    # 33.335% x EUR 1,000.00 = EUR 333.35 exactly; 12.5% x EUR 0.20 = 0.025 -> 0.02 (half-even).
    cap = CreditCap(percent_of_fee=Decimal("33.335"))

    assert cap.cap_for(Money(Decimal("1000.00"), "EUR")) == Money(Decimal("333.35"), "EUR")
    assert CreditCap(percent_of_fee=Decimal("12.5")).cap_for(
        Money(Decimal("0.20"), "EUR")
    ) == Money(Decimal("0.02"), "EUR")
