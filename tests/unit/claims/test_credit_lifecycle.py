"""The fold of a credit's life: amounts by state, status and version from its period stream."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.claim_decisions import CreditName, claim
from domain.credit_lifecycle import CreditState, CreditStatus, counts_at, credit_state, effective_at
from domain.errors import FailedPreconditionError
from tests.unit.claims.credit_streams import DEADLINE, MAY, CreditStream


def fold(stream: CreditStream) -> CreditState:
    state = credit_state(stream.events)
    assert state is not None
    return state


def buckets(state: CreditState) -> dict[str, Decimal]:
    names = ("earned", "eligible", "claimed", "approved", "denied", "forfeited", "settled")
    return {
        name: getattr(state, name).amount
        for name in names
        if getattr(state, name).amount or name == "earned"
    }


def test_a_period_without_a_credit_has_no_credit_state() -> None:
    assert credit_state(CreditStream().closed().events) is None


def test_a_credit_without_a_claim_rule_is_approved_when_issued() -> None:
    state = fold(CreditStream(claim_driven=False).closed().issued("100.00"))

    assert buckets(state) == {"earned": Decimal("100.00"), "approved": Decimal("100.00")}
    assert (state.status, state.claim_driven, state.outstanding.amount) == (
        CreditStatus.APPROVED,
        False,
        Decimal("100.00"),
    )


def test_a_claim_driven_credit_starts_eligible_with_its_deadline() -> None:
    state = fold(CreditStream().closed().issued("100.00"))

    assert buckets(state) == {"earned": Decimal("100.00"), "eligible": Decimal("100.00")}
    assert (state.status, state.claim_deadline, state.version) == (
        CreditStatus.ELIGIBLE,
        DEADLINE,
        2,
    )


def test_a_claim_moves_the_eligible_amount_to_claimed() -> None:
    state = fold(CreditStream().closed().issued("100.00").claimed("100.00"))

    assert buckets(state) == {"earned": Decimal("100.00"), "claimed": Decimal("100.00")}
    assert state.status is CreditStatus.CLAIMED


def test_a_partial_approval_splits_the_claim_into_approved_and_denied() -> None:
    state = fold(
        CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")
    )

    assert buckets(state) == {
        "earned": Decimal("100.00"),
        "approved": Decimal("60.00"),
        "denied": Decimal("40.00"),
    }
    assert (state.status, state.outstanding.amount) == (CreditStatus.APPROVED, Decimal("60.00"))


def test_a_denial_moves_the_claim_to_denied() -> None:
    state = fold(
        CreditStream().closed().issued("100.00").claimed("100.00").decided("0.00", "100.00")
    )

    assert buckets(state) == {"earned": Decimal("100.00"), "denied": Decimal("100.00")}
    assert state.status is CreditStatus.DENIED


def test_a_dispute_decision_approves_from_what_was_denied() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("0.00", "100.00")

    state = fold(stream.decided("100.00", "0.00", dispute_id="d-1"))

    assert buckets(state) == {"earned": Decimal("100.00"), "approved": Decimal("100.00")}
    assert state.status is CreditStatus.APPROVED


def test_a_forfeiture_moves_the_unclaimed_amount_to_forfeited() -> None:
    state = fold(CreditStream().closed().issued("100.00").forfeited("100.00"))

    assert buckets(state) == {"earned": Decimal("100.00"), "forfeited": Decimal("100.00")}
    assert state.status is CreditStatus.FORFEITED


def test_a_partial_settlement_leaves_the_rest_outstanding() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")

    state = fold(stream.settled("25.00"))

    assert (state.settled.amount, state.outstanding.amount, state.status) == (
        Decimal("25.00"),
        Decimal("35.00"),
        CreditStatus.APPROVED,
    )
    assert state.settlement_ids == frozenset({"s-1"})


def test_a_credit_settled_in_full_is_settled() -> None:
    stream = CreditStream(claim_driven=False).closed().issued("100.00")

    state = fold(stream.settled("40.00", "s-1").settled("60.00", "s-2"))

    assert (state.outstanding.amount, state.status) == (Decimal("0.00"), CreditStatus.SETTLED)


def test_an_increase_of_an_unclaimed_credit_is_eligible() -> None:
    state = fold(CreditStream().closed().issued("100.00").adjusted("100.00", "250.00"))

    assert buckets(state) == {"earned": Decimal("250.00"), "eligible": Decimal("250.00")}


def test_an_increase_during_an_open_claim_joins_the_claim() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00")

    state = fold(stream.adjusted("100.00", "250.00"))

    assert buckets(state) == {"earned": Decimal("250.00"), "claimed": Decimal("250.00")}


def test_an_increase_of_a_credit_approved_in_full_is_approved() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("100.00", "0.00")

    state = fold(stream.adjusted("100.00", "250.00"))

    assert buckets(state) == {"earned": Decimal("250.00"), "approved": Decimal("250.00")}


def test_an_increase_of_a_partly_approved_credit_is_claimed_for_a_new_decision() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")

    state = fold(stream.adjusted("100.00", "250.00"))

    # 60 approved and 40 denied stay; the 150 increase is a claim for the provider to decide.
    assert buckets(state) == {
        "earned": Decimal("250.00"),
        "claimed": Decimal("150.00"),
        "approved": Decimal("60.00"),
        "denied": Decimal("40.00"),
    }
    assert state.status is CreditStatus.CLAIMED


def test_an_increase_of_a_denied_credit_is_denied() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("0.00", "100.00")

    state = fold(stream.adjusted("100.00", "130.00"))

    assert buckets(state) == {"earned": Decimal("130.00"), "denied": Decimal("130.00")}


def test_an_increase_of_a_forfeited_credit_is_forfeited() -> None:
    state = fold(
        CreditStream().closed().issued("100.00").forfeited("100.00").adjusted("100.00", "130.00")
    )

    assert buckets(state) == {"earned": Decimal("130.00"), "forfeited": Decimal("130.00")}


def test_a_decrease_is_taken_from_denied_before_approved() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")

    state = fold(stream.adjusted("100.00", "50.00"))

    # 50 less: 40 from denied (to 0), then 10 from approved (60 -> 50).
    assert buckets(state) == {"earned": Decimal("50.00"), "approved": Decimal("50.00")}


def test_a_decrease_is_taken_from_claimed_before_approved() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")
    stream.adjusted("100.00", "150.00")  # 50 more: claimed 50

    state = fold(stream.adjusted("150.00", "120.00"))

    # 30 less: from claimed (50 -> 20); approved 60 and denied 40 untouched.
    assert buckets(state) == {
        "earned": Decimal("120.00"),
        "claimed": Decimal("20.00"),
        "approved": Decimal("60.00"),
        "denied": Decimal("40.00"),
    }


def test_a_decrease_below_what_was_settled_is_owed_back() -> None:
    stream = CreditStream(claim_driven=False).closed().issued("100.00").settled("100.00")

    state = fold(stream.adjusted("100.00", "70.00"))

    assert (state.approved.amount, state.settled.amount, state.outstanding.amount) == (
        Decimal("70.00"),
        Decimal("100.00"),
        Decimal("-30.00"),
    )
    assert state.status is CreditStatus.APPROVED


def test_a_credit_recalculated_to_nothing_is_void() -> None:
    state = fold(CreditStream().closed().issued("100.00").adjusted("100.00", "0.00"))

    assert (state.earned.amount, state.status) == (Decimal("0.00"), CreditStatus.VOID)


def test_a_cap_reduction_is_a_decrease_and_its_return_an_increase() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("100.00", "0.00")

    cut = fold(stream.capped("-30.00"))
    given_back = fold(stream.capped("20.00"))

    assert (cut.earned.amount, cut.approved.amount) == (Decimal("70.00"), Decimal("70.00"))
    assert (given_back.earned.amount, given_back.approved.amount) == (
        Decimal("90.00"),
        Decimal("90.00"),
    )


def test_the_buckets_always_add_up_to_what_was_earned() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").decided("60.00", "40.00")
    stream.adjusted("100.00", "180.00").decided("30.00", "50.00").adjusted("180.00", "20.00")

    state = fold(stream)

    parts = (state.eligible, state.claimed, state.approved, state.denied, state.forfeited)
    assert sum(p.amount for p in parts) == state.earned.amount == Decimal("20.00")


def test_the_version_is_the_last_event_folded() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00")

    assert fold(stream).version == 3


def test_amounts_are_effective_at_the_window_end_and_claims_at_their_record_time() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00").forfeited("0.00")
    closed, issued, claimed, forfeited = stream.events

    assert [effective_at(e, MAY) for e in (closed, issued, claimed, forfeited)] == [
        MAY,
        MAY,
        claimed.timestamp,
        DEADLINE,
    ]


def test_an_event_counts_once_recorded_and_effective() -> None:
    stream = CreditStream().closed().issued("100.00").claimed("100.00")
    claimed = stream.events[2]

    assert counts_at(claimed, MAY, as_of=claimed.timestamp, known_at=claimed.timestamp)
    assert not counts_at(claimed, MAY, as_of=MAY, known_at=claimed.timestamp)


def test_a_claim_counts_from_the_streams_last_record_time_when_the_clock_is_behind() -> None:
    stream = CreditStream().closed().issued("100.00")
    object.__setattr__(stream.events[-1], "timestamp", DEADLINE)  # issued by a late close

    # The claim would be recorded at the stream's last record time, the deadline: too late.
    with pytest.raises(FailedPreconditionError, match="deadline"):
        claim(stream.events, "T-1", "", MAY, CreditName("April's credit", "credit"))
