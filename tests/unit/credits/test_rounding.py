"""Credits: rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credit_policies import CreditPolicy
from domain.credits import credit_for, prorated
from tests.unit.credits.outcomes import BANDS_POLICY, CLOUD_BANDS, DAY, breached, issued, money


@pytest.mark.parametrize(
    ("fee", "currency", "expected"),
    [
        # 10% of JPY 12,345 = 1,234.5 -> tie, 4 is even -> 1,234
        ("12345", "JPY", "1234"),
        # 10% of JPY 12,355 = 1,235.5 -> tie, 6 is even -> 1,236
        ("12355", "JPY", "1236"),
        # 10% of BHD 12.345 = 1.2345 -> tie at 3 digits, 4 is even -> 1.234
        ("12.345", "BHD", "1.234"),
        # 10% of BHD 12.355 = 1.2355 -> tie at 3 digits, 6 is even -> 1.236
        ("12.355", "BHD", "1.236"),
        # 10% of USD 1.25 = 0.125 -> tie at 2 digits, 2 is even -> 0.12
        ("1.25", "USD", "0.12"),
        # 10% of USD 1.35 = 0.135 -> tie at 2 digits, 4 is even -> 0.14
        ("1.35", "USD", "0.14"),
    ],
)
def test_the_credit_rounds_half_even_to_the_currency_minor_unit(
    fee: str, currency: str, expected: str
) -> None:
    decision = issued(credit_for(BANDS_POLICY, breached("99.95"), money(fee, currency)))

    assert decision.amount == money(expected, currency)
    assert decision.amount.amount.as_tuple().exponent == Decimal(expected).as_tuple().exponent


def test_a_credit_on_a_prorated_fee_is_rounded_only_at_the_end() -> None:
    # fee 3,000.00 for 2 of 31 days = 6,000 / 31 = 193.548387...; 10% of it = 600 / 31
    # = 19.354838... -> 19.35. Rounding the fee first would give 193.55 -> 10% = 19.355 -> 19.36.
    fee = prorated(money("3000.00", "USD"), 2 * DAY, 31 * DAY)

    decision = issued(credit_for(BANDS_POLICY, breached("99.95"), fee))

    assert decision.amount == money("19.35", "USD")


def test_the_cap_on_a_prorated_fee_is_rounded_only_at_the_end() -> None:
    # fee 3,000.00 for 2 of 31 days = 193.548387...; 94 -> 100% = 193.548387...; cap 10% of it
    # = 600 / 31 = 19.354838... -> 19.35, capped. A cap on the rounded fee would give 19.36.
    capped_policy = CreditPolicy(CLOUD_BANDS, cap_percent=Decimal(10))
    fee = prorated(money("3000.00", "USD"), 2 * DAY, 31 * DAY)

    decision = issued(credit_for(capped_policy, breached("94"), fee))

    assert decision.amount == money("19.35", "USD")
    assert decision.capped
