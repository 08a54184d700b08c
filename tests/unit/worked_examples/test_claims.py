"""Worked examples: claims with a deadline, partial approval, settlement, and a recalculation
after a claim, each computed by hand in the comments.

The agreement (tests/unit/worked_examples/builders.py): USD 1,000.00 a month, 99.9% monthly
availability, cloud bands (below 99.9 -> 10%, below 99.0 -> 25%, below 95.0 -> 100%), in
Europe/Berlin from 1 April 2026 00:00 local. April: 30 daily readings of 998 good of 1,000 =
29,940 / 30,000 = 99.8% < 99.9 -> 10% x USD 1,000.00 = USD 100.00.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.claim_decisions import CreditName, SettlementOrder, claim, decide, forfeit, settle
from domain.claims import ClaimRule
from domain.credit_lifecycle import CreditState, CreditStatus, credit_state
from domain.errors import AlreadyExistsError, FailedPreconditionError
from domain.objectives import ObjectiveRules
from domain.period_results import CreditAdjusted, PeriodEvent
from tests.unit.worked_examples.builders import (
    CLOUD_POLICY,
    History,
    daily,
    objective,
    only,
    reading,
    terms,
    usd,
)

BERLIN = ZoneInfo("Europe/Berlin")
APRIL_START = datetime(2026, 4, 1, tzinfo=BERLIN)
MAY_START = datetime(2026, 5, 1, tzinfo=BERLIN)
JULY_START = datetime(2026, 7, 1, tzinfo=BERLIN)  # 30 June 22:00 UTC
NAME = CreditName("April's credit", "agreements/a/objectives/o/periods/2026-04/credit")


def april_history(rule: ClaimRule) -> History:
    """April closed under the claim rule: a credit of USD 100.00."""
    agreement_terms = dataclasses.replace(
        terms(
            objective(rules=ObjectiveRules(credit_policy=CLOUD_POLICY)),
            zone="Europe/Berlin",
            start=APRIL_START,
        ),
        claim_rule=rule,
    )
    history = History(agreement_terms)
    history.measure(daily(datetime(2026, 4, 1, tzinfo=UTC), 30, 998, 1000))
    history.close(MAY_START + timedelta(hours=1))
    return history


def april_stream(history: History) -> list[PeriodEvent]:
    return [e for e in history.events if isinstance(e, PeriodEvent) and e.period_label == "2026-04"]


def state_of(history: History) -> CreditState:
    state = credit_state(april_stream(history))
    assert state is not None
    return state


def then(history: History, *events: PeriodEvent) -> History:
    """Append events to the history's log, as the application appends them."""
    history.events.extend(events)
    history.clock = max(history.clock, *(e.timestamp for e in events))
    return history


TWO_CYCLES = ClaimRule(deadline_billing_cycles=2)


def test_aprils_credit_claimable_within_two_billing_cycles_is_due_by_1_july_local() -> None:
    history = april_history(TWO_CYCLES)

    # The fee is monthly: the cycles after April are May and June; June ends 1 July 00:00 CEST
    # (UTC+2) = 30 June 22:00 UTC.
    assert state_of(history).claim_deadline == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert state_of(history).eligible == usd("100.00")


def test_aprils_unclaimed_credit_is_forfeited_at_the_start_of_july_and_not_before() -> None:
    history = april_history(TWO_CYCLES)
    stream = april_stream(history)

    just_before = forfeit(stream, JULY_START - timedelta(microseconds=1))
    at_july = forfeit(stream, JULY_START)

    # At 30 June 23:59:59.999999 CEST nothing is due; at 1 July 00:00 CEST all USD 100.00 is.
    assert just_before is None
    assert at_july is not None
    assert (at_july.amount, at_july.deadline) == (usd("100.00"), JULY_START)
    assert state_of(then(history, at_july)).status is CreditStatus.FORFEITED


def test_a_claim_on_the_second_of_july_is_refused() -> None:
    stream = april_stream(april_history(TWO_CYCLES))

    # 2 July 10:00 CEST is a day and ten hours past the deadline of 1 July 00:00 CEST.
    with pytest.raises(FailedPreconditionError, match="deadline"):
        claim(stream, "T-1", "", datetime(2026, 7, 2, 10, tzinfo=BERLIN), NAME)


def test_a_credit_below_the_claim_minimum_cannot_be_claimed() -> None:
    stream = april_stream(april_history(ClaimRule(deadline_days=30, minimum_amount=Decimal(150))))

    # USD 100.00 eligible < the minimum of USD 150.00.
    with pytest.raises(FailedPreconditionError, match="below the claim minimum"):
        claim(stream, "T-1", "", MAY_START + timedelta(days=2), NAME)


def test_a_partial_approval_denies_the_rest_of_the_claim() -> None:
    history = april_history(TWO_CYCLES)
    claimed = claim(april_stream(history), "T-1", "", MAY_START + timedelta(days=2), NAME)
    then(history, claimed)

    decided = decide(april_stream(history), usd("60.00"), "3h were ours", claimed.timestamp, NAME)
    state = state_of(then(history, decided))

    # Claimed USD 100.00; approved USD 60.00, so USD 100.00 - 60.00 = USD 40.00 denied.
    assert (decided.approved, decided.denied) == (usd("60.00"), usd("40.00"))
    assert (state.approved, state.denied, state.outstanding) == (
        usd("60.00"),
        usd("40.00"),
        usd("60.00"),
    )


def test_settlements_never_exceed_the_approved_amount_nor_repeat_an_id() -> None:
    history = april_history(TWO_CYCLES)
    at = MAY_START + timedelta(days=2)
    then(history, claim(april_stream(history), "T-1", "", at, NAME))
    then(history, decide(april_stream(history), usd("60.00"), "partly ours", at, NAME))
    first = settle(april_stream(history), [_invoice("s-1", "45.00")], at, NAME)
    then(history, *first)

    # Approved USD 60.00 - settled 45.00 = USD 15.00 left: 15.01 is too much, 15.00 is not.
    with pytest.raises(FailedPreconditionError, match="exceed"):
        settle(april_stream(history), [_invoice("s-2", "15.01")], at, NAME)
    with pytest.raises(AlreadyExistsError):
        settle(april_stream(history), [_invoice("s-1", "15.00")], at, NAME)
    rest = settle(april_stream(history), [_invoice("s-2", "15.00")], at, NAME)
    state = state_of(then(history, *rest))
    assert (state.settled, state.outstanding, state.status) == (
        usd("60.00"),
        usd("0.00"),
        CreditStatus.SETTLED,
    )


def test_a_recalculation_after_full_approval_adds_the_increase_to_approved() -> None:
    history = april_history(TWO_CYCLES)
    at = MAY_START + timedelta(days=2)
    then(history, claim(april_stream(history), "T-1", "", at, NAME))
    then(history, decide(april_stream(history), usd("100.00"), "", at, NAME))
    then(history, *settle(april_stream(history), [_invoice("s-1", "100.00")], at, NAME))
    history.measure([reading(datetime(2026, 4, 20, 9, tzinfo=UTC), 0, 300)], at=at + timedelta(1))

    adjusted = only(history.recalculate("availability", "2026-04"), CreditAdjusted)
    state = state_of(history)

    # A late reading of 0 good of 300: 29,940 / 30,300 = 98.81% < 99.0 -> 25% x 1,000.00 =
    # USD 250.00, a CreditAdjusted of +150.00. Approved in full, so the increase is approved:
    # 100.00 + 150.00 = USD 250.00, settled 100.00, outstanding 250.00 - 100.00 = USD 150.00.
    assert adjusted.delta == usd("150.00")
    assert (state.approved, state.settled, state.outstanding) == (
        usd("250.00"),
        usd("100.00"),
        usd("150.00"),
    )


def test_a_recalculation_after_a_partial_approval_is_a_new_claim_to_decide() -> None:
    history = april_history(TWO_CYCLES)
    at = MAY_START + timedelta(days=2)
    then(history, claim(april_stream(history), "T-1", "", at, NAME))
    then(history, decide(april_stream(history), usd("60.00"), "partly ours", at, NAME))
    history.measure([reading(datetime(2026, 4, 20, 9, tzinfo=UTC), 0, 300)], at=at + timedelta(1))

    history.recalculate("availability", "2026-04")
    state = state_of(history)

    # The same +150.00 as above: approved 60.00 and denied 40.00 stand; the 150.00 is claimed,
    # for the provider to decide: 60.00 + 40.00 + 150.00 = USD 250.00 earned.
    assert (state.status, state.claimed, state.approved, state.denied, state.earned) == (
        CreditStatus.CLAIMED,
        usd("150.00"),
        usd("60.00"),
        usd("40.00"),
        usd("250.00"),
    )


def test_a_recalculation_below_what_was_settled_is_owed_back() -> None:
    history = april_history(TWO_CYCLES)
    at = MAY_START + timedelta(days=2)
    then(history, claim(april_stream(history), "T-1", "", at, NAME))
    then(history, decide(april_stream(history), usd("100.00"), "", at, NAME))
    then(history, *settle(april_stream(history), [_invoice("s-1", "100.00")], at, NAME))
    late_good = [reading(datetime(2026, 4, 21, 9, tzinfo=UTC), 60_000, 60_000)]
    history.measure(late_good, at=at + timedelta(1))

    history.recalculate("availability", "2026-04")
    state = state_of(history)

    # 89,940 / 90,000 = 99.9333% >= 99.9: no credit, a CreditAdjusted of -100.00 taken from
    # approved (nothing is eligible, claimed, denied or forfeited): approved 0.00, settled
    # 100.00, outstanding 0.00 - 100.00 = USD -100.00, owed back.
    assert (state.earned, state.approved, state.outstanding) == (
        usd("0.00"),
        usd("0.00"),
        usd("-100.00"),
    )


def _invoice(settlement_id: str, amount: str) -> SettlementOrder:
    return SettlementOrder(settlement_id, "invoice", "INV-2026-06", "2026-06-01", usd(amount))
