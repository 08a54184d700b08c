"""The Subscription aggregate: changing tier (and fee) from an effective instant."""

from __future__ import annotations

import pytest

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.subscriptions import Subscription
from tests.unit.refusals import violated_fields
from tests.unit.subscriptions.timeline import (
    BASIC_FEE,
    FEBRUARY,
    MARCH,
    PREMIUM_FEE,
    RECORDED_AT,
    SECOND,
    SEPTEMBER,
    collect,
    replay,
)

CHANGED_AT = RECORDED_AT + SECOND


def test_a_tier_change_records_the_tier_fee_instant_and_reason(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    subscription.change_tier(service, "premium", PREMIUM_FEE, MARCH, "upgrade", CHANGED_AT)

    [event] = collect(subscription)
    assert isinstance(event, Subscription.TierChanged)
    assert (event.tier_id, event.fee, event.effective_from, event.reason) == (
        "premium",
        PREMIUM_FEE,
        MARCH,
        "upgrade",
    )
    assert (event.originator_version, event.timestamp) == (2, CHANGED_AT)


def test_a_tier_change_without_a_fee_keeps_the_fee_in_force(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    subscription.change_tier(service, "premium", None, MARCH, "", CHANGED_AT)

    [event] = collect(subscription)
    assert isinstance(event, Subscription.TierChanged)
    assert event.fee == BASIC_FEE


def test_the_tier_in_force_follows_the_change_from_its_effective_instant(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)
    subscription.change_tier(service, "premium", PREMIUM_FEE, MARCH, "", CHANGED_AT)

    changed = replay([*subscribed, *collect(subscription)])

    assert (changed.terms_at(MARCH - SECOND).tier_id, changed.terms_at(MARCH).tier_id) == (
        "basic",
        "premium",
    )


def test_a_change_to_an_unknown_tier_is_refused(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.change_tier(service, "gold", None, MARCH, "", CHANGED_AT)

    assert violated_fields(error) == ["tier_id"]


def test_a_change_to_the_tier_and_fee_already_in_force_is_refused(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.change_tier(service, "basic", None, MARCH, "", CHANGED_AT)

    assert violated_fields(error) == ["tier_id"]
    assert "already on tier 'basic'" in str(error.value)


def test_a_fee_change_on_the_same_tier_is_recorded(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    subscription.change_tier(service, "basic", PREMIUM_FEE, MARCH, "repriced", CHANGED_AT)

    [event] = collect(subscription)
    assert isinstance(event, Subscription.TierChanged)
    assert (event.tier_id, event.fee) == ("basic", PREMIUM_FEE)


def test_a_tier_change_effective_at_the_subscription_s_start_is_refused(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.change_tier(service, "premium", None, FEBRUARY, "", CHANGED_AT)

    assert violated_fields(error) == ["effective_from"]


def test_a_tier_change_effective_after_the_planned_end_is_refused(
    service: Agreement, subscribed_until_september: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed_until_september)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.change_tier(service, "premium", None, SEPTEMBER + SECOND, "", CHANGED_AT)

    assert violated_fields(error) == ["effective_from"]


def test_a_tier_change_of_an_ended_subscription_is_refused(
    service: Agreement, ended_in_june: list[Subscription.Event]
) -> None:
    subscription = replay(ended_in_june)

    with pytest.raises(FailedPreconditionError):
        subscription.change_tier(service, "premium", None, MARCH, "", CHANGED_AT)


def test_a_tier_change_on_a_terminated_service_is_refused(
    service: Agreement, subscribed: list[Subscription.Event]
) -> None:
    subscription = replay(subscribed)
    service.terminate(SEPTEMBER, "withdrawn", RECORDED_AT)

    with pytest.raises(FailedPreconditionError):
        subscription.change_tier(service, "premium", None, MARCH, "", CHANGED_AT)
