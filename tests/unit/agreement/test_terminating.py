"""The Agreement aggregate: terminating."""

from __future__ import annotations

import pytest

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError
from tests.unit.agreement.timeline import (
    DAY,
    FEBRUARY,
    JUNE,
    MARCH,
    SECOND,
    SIGNED_AT,
    Collect,
    Replay,
)
from tests.unit.refusals import violated_fields


def test_termination_is_recorded_with_its_effective_instant_and_reason(
    signed: list[Agreement.Event], replay: Replay, collect: Collect
) -> None:
    agreement = replay(signed)

    agreement.terminate(JUNE, reason="sustained failure", recorded_at=MARCH)

    [event] = collect(agreement)
    assert isinstance(event, Agreement.Terminated)
    assert (event.effective_at, event.reason, event.timestamp, event.originator_version) == (
        JUNE,
        "sustained failure",
        MARCH,
        2,
    )


def test_a_second_termination_is_refused(
    terminated_in_june: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(terminated_in_june)

    with pytest.raises(FailedPreconditionError):
        agreement.terminate(FEBRUARY + DAY, reason="sooner", recorded_at=MARCH + DAY)


def test_termination_effective_before_signing_is_refused(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.terminate(SIGNED_AT - SECOND, reason="", recorded_at=MARCH)

    assert violated_fields(error) == ["effective_at"]


def test_a_termination_with_an_overlong_reason_is_refused(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.terminate(JUNE, reason="x" * 4097, recorded_at=MARCH)

    assert violated_fields(error) == ["reason"]
