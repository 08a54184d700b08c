"""Properties of the fold over random credit lives made of the commands' own events: the buckets
always add up to what was earned (issued + every adjustment and cap delta, summed here apart
from the fold), none goes negative, settlements are what was settled, and nothing is settled
beyond approval unless a later decrease took it back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.claim_decisions import CreditName, SettlementOrder, claim, decide, forfeit, settle
from domain.credit_lifecycle import CreditState, credit_state
from domain.errors import LedgerError
from tests.unit.claims.credit_streams import DEADLINE, MAY, CreditStream, eur

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["adjust", "cap", "claim", "decide", "dispute", "forfeit", "settle"]),
        st.integers(0, 30_000),  # an amount in cents
    ),
    max_size=25,
)

CREDIT = CreditName("credit", "agreements/a/objectives/o/periods/p/credit")


def _money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


@settings(max_examples=300, deadline=None)
@given(issued=st.integers(1, 30_000), steps=STEPS, claim_driven=st.booleans())
def test_random_credit_lives_keep_the_buckets_whole(
    issued: int, steps: list[tuple[str, int]], claim_driven: bool
) -> None:
    stream = CreditStream(claim_driven=claim_driven).closed().issued(_money(issued))
    earned, settled, decreased_since_settling = issued, 0, False
    at = MAY
    for number, (step, cents) in enumerate(steps):
        at = max(at + timedelta(days=1), DEADLINE if step == "forfeit" else at)
        before = _state(stream)
        try:
            if step in ("adjust", "cap"):
                after = cents if step == "adjust" else min(cents, earned)
                if step == "adjust":
                    stream.adjusted(_money(earned), _money(after))
                else:
                    stream.capped(_money(after - earned))
                decreased_since_settling |= after < earned
                earned = after
            elif step == "claim":
                stream.events.append(claim(stream.events, "T", "", at, CREDIT))
            elif step in ("decide", "dispute"):
                dispute_id = "d-1" if step == "dispute" else ""
                open_amount = before.denied if dispute_id else before.claimed
                approved = eur(_money(min(cents, int(open_amount.amount * 100))))
                stream.events.append(
                    decide(stream.events, approved, "why", at, CREDIT, dispute_id=dispute_id)
                )
            elif step == "forfeit":
                event = forfeit(stream.events, at)
                if event is not None:
                    stream.events.append(event)
            else:
                order = SettlementOrder(f"s-{number}", "paid_out", "", "", eur(_money(cents)))
                stream.events.extend(settle(stream.events, [order], at, CREDIT))
                settled += cents
                decreased_since_settling = False
        except LedgerError:
            assert _state(stream) == before  # a refusal appends nothing
        state = _state(stream)
        parts = (state.eligible, state.claimed, state.approved, state.denied, state.forfeited)
        assert sum(p.amount for p in parts) == state.earned.amount == Decimal(earned) / 100
        assert all(p.amount >= 0 for p in parts)
        assert state.settled.amount == Decimal(settled) / 100
        assert state.version == len(stream.events)
        if not decreased_since_settling:
            assert state.settled.amount <= state.approved.amount
        if not claim_driven:
            assert state.approved == state.earned


def _state(stream: CreditStream) -> CreditState:
    state = credit_state(stream.events)
    assert state is not None
    return state
