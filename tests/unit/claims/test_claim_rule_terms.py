"""The terms' claim rule: exactly one deadline, in range, and a minimum in the fee's currency."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from domain.claims import ClaimRule
from domain.terms import AgreementTerms


def claim_violations(make_terms: Callable[..., AgreementTerms], rule: ClaimRule) -> list[str]:
    return [
        f"{v.field}: {v.description}"
        for v in make_terms(claim_rule=rule).violations()
        if "claim_rule" in v.field
    ]


def test_terms_with_a_deadline_in_billing_cycles_are_valid(
    make_terms: Callable[..., AgreementTerms],
) -> None:
    rule = ClaimRule(deadline_billing_cycles=2, minimum_amount=Decimal("5.00"))

    assert claim_violations(make_terms, rule) == []


def test_a_claim_rule_needs_exactly_one_deadline(
    make_terms: Callable[..., AgreementTerms],
) -> None:
    assert claim_violations(make_terms, ClaimRule()) == [
        "terms.claim_rule: give exactly one of deadline_days and deadline_billing_cycles"
    ]
    assert claim_violations(make_terms, ClaimRule(deadline_days=3, deadline_billing_cycles=1)) == [
        "terms.claim_rule: give exactly one of deadline_days and deadline_billing_cycles"
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"deadline_days": 0}, "terms.claim_rule.deadline_days: must be from 1 to 3650"),
        ({"deadline_days": 3651}, "terms.claim_rule.deadline_days: must be from 1 to 3650"),
        (
            {"deadline_billing_cycles": 121},
            "terms.claim_rule.deadline_billing_cycles: must be from 1 to 120",
        ),
    ],
)
def test_a_deadline_out_of_range_is_refused(
    make_terms: Callable[..., AgreementTerms], fields: dict[str, Any], expected: str
) -> None:
    assert claim_violations(make_terms, ClaimRule(**fields)) == [expected]


@pytest.mark.parametrize(
    ("minimum", "expected"),
    [
        ("-1", "must be a finite decimal, not negative"),
        ("1.005", "EUR has 2 digits after the point"),
        ("1000000000000000", "must be less than 1,000,000,000,000,000"),
    ],
)
def test_a_minimum_amount_outside_the_fee_currency_is_refused(
    make_terms: Callable[..., AgreementTerms], minimum: str, expected: str
) -> None:
    rule = ClaimRule(deadline_days=30, minimum_amount=Decimal(minimum))

    assert claim_violations(make_terms, rule) == [f"terms.claim_rule.minimum_amount: {expected}"]
