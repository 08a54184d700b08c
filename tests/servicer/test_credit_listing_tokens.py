"""ListCredits page tokens: bound to the states asked for, and unchanged for listings without."""

from __future__ import annotations

import pytest

from domain.errors import InvalidArgumentError
from service.api.page_tokens import encode_page_token
from service.api.query_inputs import credit_listing
from service.generated.sla.ledger.v1 import credit_states_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

APPROVED = credit_states_pb2.CREDIT_STATE_APPROVED
CLAIMED = credit_states_pb2.CREDIT_STATE_CLAIMED


def test_a_listing_without_states_is_bound_as_before_states_existed() -> None:
    """Before ListCredits had states, a token was bound to the filter's repr as below."""
    before = (
        "CreditFilter(agreement_id='', customer_id='globex', provider_id='', currency='', "
        "period_start_from=None, period_start_before=None)"
    )

    listing = credit_listing(pb.ListCreditsRequest(customer_id="globex"))

    assert repr(listing.where) == before


def test_a_token_of_one_set_of_states_is_refused_for_another() -> None:
    approved = credit_listing(pb.ListCreditsRequest(states=[APPROVED]))
    token = encode_page_token(approved.bound, 7)
    claimed = credit_listing(pb.ListCreditsRequest(states=[CLAIMED], page_token=token))
    unfiltered = credit_listing(pb.ListCreditsRequest(page_token=token))

    assert credit_listing(pb.ListCreditsRequest(states=[APPROVED], page_token=token)).after() == 7
    with pytest.raises(InvalidArgumentError):
        claimed.after()
    with pytest.raises(InvalidArgumentError):
        unfiltered.after()


def test_states_asked_twice_or_in_another_order_are_the_same_filter() -> None:
    once = credit_listing(pb.ListCreditsRequest(states=[CLAIMED, APPROVED]))
    twice = credit_listing(pb.ListCreditsRequest(states=[APPROVED, CLAIMED, APPROVED]))

    assert (once.where.states, once.bound) == (("approved", "claimed"), twice.bound)
