"""The Agreement aggregate: the terms in force."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.agreement import Agreement
from domain.money import Money
from domain.terms import AgreementTerms, Fee, PeriodUnit
from tests.unit.agreement.timeline import (
    DAY,
    FEBRUARY,
    MARCH,
    SECOND,
    SIGNED_AT,
    TERM_START,
    Collect,
    MakeTerms,
    Replay,
)


@pytest.fixture
def late_amendment(
    amended_from_march: list[Agreement.Event],
    replay: Replay,
    collect: Collect,
    make_terms: MakeTerms,
) -> list[Agreement.Event]:
    """Given also: terms version 3 effective 2024-02-01, though recorded on 2024-02-15."""
    agreement = replay(amended_from_march)
    lowered_fee = make_terms(fee=Fee(Money(Decimal("800.00"), "EUR"), PeriodUnit.MONTH))
    agreement.amend(lowered_fee, FEBRUARY, True, reason="", recorded_at=FEBRUARY + 14 * DAY)
    return amended_from_march + collect(agreement)


def test_first_terms_govern_before_the_term_starts(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    assert agreement.terms_in_force(SIGNED_AT).number == 1


def test_first_terms_govern_from_the_term_start(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    assert agreement.terms_in_force(TERM_START + DAY).number == 1


def test_an_amendment_does_not_govern_before_its_effective_instant(
    amended_from_march: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(amended_from_march)

    assert agreement.terms_in_force(MARCH - SECOND).number == 1


def test_an_amendment_governs_from_its_effective_instant(
    amended_from_march: list[Agreement.Event], replay: Replay, raised_fee: AgreementTerms
) -> None:
    agreement = replay(amended_from_march)

    assert agreement.terms_in_force(MARCH).terms == raised_fee


def test_an_amendment_recorded_later_but_effective_earlier_governs_from_its_effective_instant(
    late_amendment: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(late_amendment)

    assert agreement.terms_in_force(FEBRUARY + 9 * DAY).number == 3


def test_the_newest_version_governs_when_several_are_effective(
    late_amendment: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(late_amendment)

    assert agreement.terms_in_force(MARCH + 14 * DAY).number == 3


def test_a_late_amendment_does_not_govern_before_its_effective_instant(
    late_amendment: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(late_amendment)

    assert agreement.terms_in_force(FEBRUARY - SECOND).number == 1
