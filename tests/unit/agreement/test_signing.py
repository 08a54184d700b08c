"""The Agreement aggregate: signing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.agreement import Agreement
from domain.errors import InvalidArgumentError
from tests.unit.agreement.timeline import (
    SECOND,
    SIGN_RECORDED_AT,
    SIGNED_AT,
    TERM_START,
    Collect,
    MakeTerms,
    Replay,
    Sign,
)
from tests.unit.refusals import violated_fields


def test_signing_records_exactly_one_signed_event(signed: list[Agreement.Event]) -> None:
    assert [type(event) for event in signed] == [Agreement.Signed]


def test_signed_event_opens_the_agreement_stream(signed: list[Agreement.Event]) -> None:
    [event] = signed

    assert (event.originator_id, event.originator_version) == ("agreement:sla-1", 1)


def test_signed_event_is_timestamped_with_the_record_time(signed: list[Agreement.Event]) -> None:
    [event] = signed

    assert event.timestamp == SIGN_RECORDED_AT


def test_signed_event_carries_the_id_terms_and_signing_instant(
    signed: list[Agreement.Event], make_terms: MakeTerms
) -> None:
    [event] = signed

    assert isinstance(event, Agreement.Signed)
    assert (event.agreement_id, event.terms, event.signed_at) == (
        "sla-1",
        make_terms(term_start=TERM_START),
        SIGNED_AT,
    )


def test_first_terms_take_effect_at_the_term_start(
    signed: list[Agreement.Event], replay: Replay
) -> None:
    agreement = replay(signed)

    assert (agreement.current_terms.number, agreement.current_terms.effective_from) == (
        1,
        TERM_START,
    )


@pytest.mark.parametrize("agreement_id", ["", "sla 1", "sla/1", "a" * 129])
def test_signing_with_a_malformed_agreement_id_is_refused(sign: Sign, agreement_id: str) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        sign(agreement_id=agreement_id)

    assert violated_fields(error) == ["agreement_id"]


def test_signing_with_invalid_terms_names_the_terms_fields(
    sign: Sign, make_terms: MakeTerms
) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        sign(terms=make_terms(services=()))

    assert violated_fields(error) == ["terms.services"]


def test_signing_after_the_term_has_ended_is_refused(sign: Sign, make_terms: MakeTerms) -> None:
    term_end = datetime(2024, 12, 31, tzinfo=UTC)

    with pytest.raises(InvalidArgumentError) as error:
        sign(
            terms=make_terms(term_start=TERM_START, term_end=term_end),
            signed_at=term_end + SECOND,
        )

    assert violated_fields(error) == ["signed_at"]


def test_signing_at_the_last_instant_of_the_term_is_accepted(
    sign: Sign, make_terms: MakeTerms, collect: Collect
) -> None:
    term_end = datetime(2024, 12, 31, tzinfo=UTC)

    agreement = sign(terms=make_terms(term_start=TERM_START, term_end=term_end), signed_at=term_end)

    assert [type(event) for event in collect(agreement)] == [Agreement.Signed]
