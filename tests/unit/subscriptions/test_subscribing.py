"""The Subscription aggregate: subscribing a customer to a service SLA."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from domain.agreement import Agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.identifiers import subscription_stream
from domain.subscriptions import Subscription
from tests.unit.refusals import violated_fields
from tests.unit.subscriptions.timeline import (
    BASIC_FEE,
    FEBRUARY,
    GLOBEX,
    RECORDED_AT,
    SECOND,
    TERM_START,
    Subscribe,
    collect,
    service_from,
)


def test_subscribing_records_the_customer_tier_fee_start_and_end(subscribe: Subscribe) -> None:
    [event] = collect(subscribe())

    assert isinstance(event, Subscription.Subscribed)
    assert (event.originator_id, event.originator_version, event.timestamp) == (
        subscription_stream("svc-1", "globex"),
        1,
        RECORDED_AT,
    )
    assert (event.agreement_id, event.customer, event.tier_id, event.fee) == (
        "svc-1",
        GLOBEX,
        "basic",
        BASIC_FEE,
    )
    assert (event.start, event.end) == (FEBRUARY, None)


def test_a_subscription_to_an_unknown_tier_is_refused(subscribe: Subscribe) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(tier_id="gold")

    assert violated_fields(error) == ["tier_id"]
    assert "basic, premium" in str(error.value)


def test_a_subscription_ending_before_it_starts_is_refused(subscribe: Subscribe) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(end=FEBRUARY - SECOND)

    assert violated_fields(error) == ["end"]


def test_a_subscription_ending_as_it_starts_is_refused(subscribe: Subscribe) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(end=FEBRUARY)

    assert violated_fields(error) == ["end"]


def test_a_subscription_starting_before_the_service_s_term_start_is_refused(
    subscribe: Subscribe,
) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(start=TERM_START - SECOND)

    assert violated_fields(error) == ["start"]


def test_a_subscription_starting_at_the_service_s_term_start_is_recorded(
    subscribe: Subscribe,
) -> None:
    [event] = collect(subscribe(start=TERM_START))

    assert isinstance(event, Subscription.Subscribed)
    assert event.start == TERM_START


def test_a_subscription_naming_no_customer_is_refused(subscribe: Subscribe) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(customer=replace(GLOBEX, party_id=""))

    assert violated_fields(error) == ["customer.party_id"]


def test_every_bad_field_of_a_subscription_is_named_at_once(subscribe: Subscribe) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        subscribe(customer=replace(GLOBEX, party_id="a/b"), tier_id="gold", end=FEBRUARY)

    assert violated_fields(error) == ["customer.party_id", "tier_id", "end"]


def test_a_subscription_to_an_agreement_that_is_not_a_service_sla_is_refused(
    sign: Callable[..., Agreement], subscribe: Subscribe
) -> None:
    with pytest.raises(FailedPreconditionError) as error:
        subscribe(service=sign())

    assert "not a service SLA" in str(error.value)


def test_a_subscription_to_a_terminated_service_is_refused(
    service_signed: list[Agreement.Event], subscribe: Subscribe
) -> None:
    service = service_from(service_signed)
    service.terminate(FEBRUARY, "withdrawn", RECORDED_AT)

    with pytest.raises(FailedPreconditionError):
        subscribe(service=service)
