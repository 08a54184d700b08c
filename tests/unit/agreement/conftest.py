"""Agreements given as events (signed, amended, terminated) for the Agreement aggregate tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.agreement import Agreement
from domain.money import Money
from domain.terms import AgreementTerms, Fee, PeriodUnit
from tests.unit.agreement.timeline import (
    FEBRUARY,
    JUNE,
    MARCH,
    SIGN_RECORDED_AT,
    SIGNED_AT,
    TERM_START,
    Collect,
    MakeTerms,
    Replay,
    Sign,
)


@pytest.fixture
def signed(sign: Sign, make_terms: MakeTerms, collect: Collect) -> list[Agreement.Event]:
    """Given: agreement sla-1 signed 2023-12-01T12:00Z for a term starting 2024-01-01."""
    agreement = sign(
        agreement_id="sla-1",
        terms=make_terms(term_start=TERM_START),
        signed_at=SIGNED_AT,
        recorded_at=SIGN_RECORDED_AT,
    )
    return collect(agreement)


@pytest.fixture
def raised_fee(make_terms: MakeTerms) -> AgreementTerms:
    """Amended terms: the same parties and kind, a higher fee."""
    return make_terms(
        term_start=TERM_START, fee=Fee(Money(Decimal("1500.00"), "EUR"), PeriodUnit.MONTH)
    )


@pytest.fixture
def amended_from_march(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, raised_fee: AgreementTerms
) -> list[Agreement.Event]:
    """Given also: terms version 2 (raised fee) effective 2024-03-01, recorded 2024-02-01."""
    agreement = replay(signed)
    agreement.amend(raised_fee, MARCH, False, reason="price review", recorded_at=FEBRUARY)
    return signed + collect(agreement)


@pytest.fixture
def terminated_in_june(
    signed: list[Agreement.Event], replay: Replay, collect: Collect
) -> list[Agreement.Event]:
    """Given also: a termination effective 2024-06-01, recorded 2024-03-01."""
    agreement = replay(signed)
    agreement.terminate(JUNE, reason="end of term", recorded_at=MARCH)
    return signed + collect(agreement)
