"""The Agreement aggregate: its standing at an instant."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.agreement import Agreement
from domain.errors import InvalidArgumentError, NotFoundError
from tests.unit.agreement.timeline import (
    JUNE,
    MARCH,
    SECOND,
    SIGN_RECORDED_AT,
    SIGNED_AT,
    MakeTerms,
    Replay,
)
from tests.unit.refusals import violated_fields


def test_standing_before_signing_is_not_found(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    with pytest.raises(NotFoundError):
        agreement.standing_at(SIGNED_AT - SECOND)


def test_standing_at_the_signing_instant_shows_the_first_terms(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    standing = replay(signed).standing_at(SIGNED_AT)

    assert (standing.agreement_id, standing.signed_at, standing.terms.number) == (
        "sla-1",
        SIGNED_AT,
        1,
    )


def test_standing_shows_the_terms_in_force_at_that_instant(
    amended_from_march: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(amended_from_march)

    assert agreement.standing_at(MARCH).terms.number == 2


def test_standing_is_not_terminated_before_the_termination_takes_effect(
    terminated_in_june: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(terminated_in_june)

    assert not agreement.standing_at(JUNE - SECOND).is_terminated


def test_standing_is_terminated_from_the_termination_instant(
    terminated_in_june: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(terminated_in_june)

    assert agreement.standing_at(JUNE).is_terminated


def test_standing_of_an_agreement_never_terminated_is_not_terminated(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    assert not replay(signed).standing_at(JUNE).is_terminated


def test_a_signing_instant_without_a_time_zone_is_refused(make_terms: MakeTerms) -> None:
    with pytest.raises(InvalidArgumentError) as refusal:
        Agreement.sign("sla-1", make_terms(), datetime(2024, 1, 1), recorded_at=SIGN_RECORDED_AT)

    assert violated_fields(refusal) == ["signed_at"]


def test_a_termination_instant_without_a_time_zone_is_refused(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as refusal:
        agreement.terminate(datetime(2024, 7, 1), "", recorded_at=JUNE)

    assert violated_fields(refusal) == ["effective_at"]
