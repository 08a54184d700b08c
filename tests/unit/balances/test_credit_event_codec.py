"""The credit-lifecycle read model keeps each money event's fields and reads the same event
back for the fold."""

from __future__ import annotations

import dataclasses

import pytest

from domain.credit_balances import MONEY_EVENTS
from domain.period_results import PeriodClosed, PeriodEvent
from projections.credit_event_codec import KIND_OF, MONEY_EVENT_KINDS, decode_fields, encode_fields
from tests.unit.claims.credit_streams import CreditStream

EVERY_KIND = (
    CreditStream()
    .closed()
    .issued("100.00")
    .adjusted("100.00", "120.50")
    .capped("-20.50")
    .claimed("100.00")
    .decided("60.00", "40.00", dispute_id="d-1")
    .forfeited("0.00")
    .settled("50.00")
    .events
)


def test_the_read_model_knows_every_money_event_of_the_fold() -> None:
    assert set(MONEY_EVENT_KINDS.values()) == set(MONEY_EVENTS)
    assert {type(e) for e in EVERY_KIND} == set(MONEY_EVENTS)


@pytest.mark.parametrize("event", EVERY_KIND, ids=lambda e: type(e).__name__)
def test_a_money_event_read_back_equals_the_event(event: PeriodEvent) -> None:
    read_back = decode_fields(KIND_OF[type(event)], encode_fields(event))

    expected = dataclasses.replace(event, figures=()) if isinstance(event, PeriodClosed) else event
    assert read_back == expected


def test_a_closed_period_is_kept_without_its_figures() -> None:
    closed = CreditStream().closed().events[0]

    assert "figures" not in encode_fields(closed)
