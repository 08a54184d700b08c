"""The Agreement aggregate: amending."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.terms import AgreementKind, AgreementTerms, Party
from tests.unit.agreement.timeline import (
    DAY,
    FEBRUARY,
    JUNE,
    MARCH,
    SECOND,
    SIGNED_AT,
    Collect,
    MakeTerms,
    Replay,
)
from tests.unit.refusals import violated_fields


def test_an_amendment_is_recorded_as_terms_version_two(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, raised_fee: AgreementTerms
) -> None:
    agreement = replay(signed)

    agreement.amend(raised_fee, MARCH, retroactive=False, reason="price review", recorded_at=MARCH)

    [event] = collect(agreement)
    assert isinstance(event, Agreement.Amended)
    assert (event.terms_version, event.originator_version) == (2, 2)


def test_an_amendment_carries_its_terms_dates_and_reason(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, raised_fee: AgreementTerms
) -> None:
    recorded_at = datetime(2024, 2, 20, 8, 0, tzinfo=UTC)
    agreement = replay(signed)

    agreement.amend(
        raised_fee, FEBRUARY, retroactive=True, reason="price review", recorded_at=recorded_at
    )

    [event] = collect(agreement)
    assert isinstance(event, Agreement.Amended)
    assert (event.terms, event.effective_from, event.retroactive, event.reason) == (
        raised_fee,
        FEBRUARY,
        True,
        "price review",
    )
    assert event.timestamp == recorded_at


def test_a_second_amendment_is_recorded_as_terms_version_three(
    amended_from_march: list[Agreement.Event],
    replay: Replay,
    collect: Collect,
    raised_fee: AgreementTerms,
) -> None:
    agreement = replay(amended_from_march)

    agreement.amend(raised_fee, JUNE, retroactive=False, reason="", recorded_at=MARCH)

    [event] = collect(agreement)
    assert isinstance(event, Agreement.Amended)
    assert (event.terms_version, event.originator_version) == (3, 3)


def test_an_amendment_effective_before_signing_is_refused(
    signed: list[Agreement.Event], replay: Replay, raised_fee: AgreementTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(
            raised_fee, SIGNED_AT - SECOND, retroactive=True, reason="", recorded_at=MARCH
        )

    assert violated_fields(error) == ["effective_from"]


def test_an_amendment_effective_at_the_signing_instant_is_accepted(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, raised_fee: AgreementTerms
) -> None:
    agreement = replay(signed)

    agreement.amend(raised_fee, SIGNED_AT, retroactive=True, reason="", recorded_at=MARCH)

    assert [type(event) for event in collect(agreement)] == [Agreement.Amended]


def test_an_amendment_changing_the_provider_is_refused(
    signed: list[Agreement.Event], replay: Replay, make_terms: MakeTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(
            make_terms(provider=Party("initech")), MARCH, False, reason="", recorded_at=MARCH
        )

    assert violated_fields(error) == ["terms.provider.party_id"]


def test_an_amendment_changing_the_customer_is_refused(
    signed: list[Agreement.Event], replay: Replay, make_terms: MakeTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(
            make_terms(customer=Party("initech")), MARCH, False, reason="", recorded_at=MARCH
        )

    assert violated_fields(error) == ["terms.customer.party_id"]


def test_an_amendment_changing_the_kind_of_agreement_is_refused(
    signed: list[Agreement.Event], replay: Replay, make_terms: MakeTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(
            make_terms(kind=AgreementKind.INTERNAL), MARCH, False, reason="", recorded_at=MARCH
        )

    assert violated_fields(error) == ["terms.kind"]


def test_an_amendment_may_rename_a_party(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, make_terms: MakeTerms
) -> None:
    agreement = replay(signed)

    agreement.amend(
        make_terms(customer=Party("globex", "Globex Inc.")), MARCH, False, "", recorded_at=MARCH
    )

    assert [type(event) for event in collect(agreement)] == [Agreement.Amended]


def test_an_amendment_with_invalid_terms_is_refused(
    signed: list[Agreement.Event], replay: Replay, make_terms: MakeTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(make_terms(objectives=()), MARCH, False, reason="", recorded_at=MARCH)

    assert violated_fields(error) == ["terms.objectives"]


def test_an_amendment_with_an_overlong_reason_is_refused(
    signed: list[Agreement.Event], replay: Replay, raised_fee: AgreementTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError) as error:
        agreement.amend(raised_fee, MARCH, False, reason="x" * 4097, recorded_at=MARCH)

    assert violated_fields(error) == ["reason"]


def test_a_refused_amendment_records_nothing(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, raised_fee: AgreementTerms
) -> None:
    agreement = replay(signed)

    with pytest.raises(InvalidArgumentError):
        agreement.amend(raised_fee, SIGNED_AT - SECOND, False, reason="", recorded_at=MARCH)

    assert collect(agreement) == []


def test_amendment_after_termination_is_refused(
    terminated_in_june: list[Agreement.Event], replay: Replay, raised_fee: AgreementTerms
) -> None:
    agreement = replay(terminated_in_june)

    with pytest.raises(FailedPreconditionError):
        agreement.amend(raised_fee, MARCH, False, reason="", recorded_at=MARCH + DAY)
