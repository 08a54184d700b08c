"""The Subscription aggregate: ending a subscription."""

from __future__ import annotations

import pytest

from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.subscriptions import Subscription
from tests.unit.refusals import violated_fields
from tests.unit.subscriptions.timeline import (
    FEBRUARY,
    JUNE,
    MARCH,
    RECORDED_AT,
    SECOND,
    SEPTEMBER,
    collect,
    replay,
)

ENDED_AT = RECORDED_AT + SECOND


def test_an_end_records_its_instant_and_reason(subscribed: list[Subscription.Event]) -> None:
    subscription = replay(subscribed)

    subscription.end_subscription(JUNE, "moved on", ENDED_AT)

    [event] = collect(subscription)
    assert isinstance(event, Subscription.Ended)
    assert (event.end_at, event.reason, event.originator_version, event.timestamp) == (
        JUNE,
        "moved on",
        2,
        ENDED_AT,
    )


def test_an_ended_subscription_ends_at_its_end_rather_than_its_planned_end(
    subscribed_until_september: list[Subscription.Event],
) -> None:
    subscription = replay(subscribed_until_september)
    subscription.end_subscription(JUNE, "", ENDED_AT)

    ended = replay([*subscribed_until_september, *collect(subscription)])

    assert (ended.end, ended.is_active_at(JUNE - SECOND), ended.is_active_at(JUNE)) == (
        JUNE,
        True,
        False,
    )


def test_ending_a_subscription_twice_is_refused(ended_in_june: list[Subscription.Event]) -> None:
    subscription = replay(ended_in_june)

    with pytest.raises(FailedPreconditionError) as error:
        subscription.end_subscription(MARCH, "sooner", ENDED_AT)

    assert "ended" in str(error.value)


def test_an_end_at_the_subscription_s_start_is_refused(
    subscribed: list[Subscription.Event],
) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.end_subscription(FEBRUARY, "", ENDED_AT)

    assert violated_fields(error) == ["end_at"]


def test_an_end_before_the_subscription_s_start_is_refused(
    subscribed: list[Subscription.Event],
) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.end_subscription(FEBRUARY - SECOND, "", ENDED_AT)

    assert violated_fields(error) == ["end_at"]


def test_an_end_after_the_planned_end_is_refused(
    subscribed_until_september: list[Subscription.Event],
) -> None:
    subscription = replay(subscribed_until_september)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.end_subscription(SEPTEMBER + SECOND, "", ENDED_AT)

    assert violated_fields(error) == ["end_at"]


def test_an_end_with_an_overlong_reason_is_refused(subscribed: list[Subscription.Event]) -> None:
    subscription = replay(subscribed)

    with pytest.raises(InvalidArgumentError) as error:
        subscription.end_subscription(JUNE, "x" * 4097, ENDED_AT)

    assert violated_fields(error) == ["reason"]
