"""The Agreement aggregate: given its events, when a command runs, then events or a refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Party, PeriodUnit

MakeTerms = Callable[..., AgreementTerms]
Sign = Callable[..., Agreement]
Collect = Callable[[Agreement], list[Agreement.Event]]
Replay = Callable[[Iterable[Agreement.Event]], Agreement]

SIGNED_AT = datetime(2023, 12, 1, 12, 0, tzinfo=UTC)
SIGN_RECORDED_AT = datetime(2023, 12, 1, 12, 0, 5, tzinfo=UTC)
TERM_START = datetime(2024, 1, 1, tzinfo=UTC)
MARCH = datetime(2024, 3, 1, tzinfo=UTC)
FEBRUARY = datetime(2024, 2, 1, tzinfo=UTC)
JUNE = datetime(2024, 6, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def violated_fields(error: pytest.ExceptionInfo[InvalidArgumentError]) -> list[str]:
    return [violation.field for violation in error.value.violations]


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


@pytest.fixture
def terminated_in_june(
    signed: list[Agreement.Event], replay: Replay, collect: Collect
) -> list[Agreement.Event]:
    """Given also: a termination effective 2024-06-01, recorded 2024-03-01."""
    agreement = replay(signed)
    agreement.terminate(JUNE, reason="end of term", recorded_at=MARCH)
    return signed + collect(agreement)


# Signing


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


# Amending


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


# Terminating


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


# Terms in force


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


# Standing at an instant


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
