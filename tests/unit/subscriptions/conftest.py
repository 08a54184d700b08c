"""Service SLAs and subscriptions given as events for the Subscription aggregate tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.money import Money
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from tests.unit.subscriptions.timeline import (
    BASIC_FEE,
    FEBRUARY,
    GLOBEX,
    JUNE,
    RECORDED_AT,
    SEPTEMBER,
    SIGNED_AT,
    TERM_START,
    Subscribe,
    collect,
    replay,
    service_from,
)


def _availability(target: str) -> Objective:
    return Objective("availability", "availability", Decimal(target), PeriodUnit.MONTH)


def _service_terms() -> AgreementTerms:
    return AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("compute",),
        time_zone="Europe/Berlin",
        fee=Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH),
        term_start=TERM_START,
        term_end=None,
        tiers=(
            Tier("basic", "Basic", (_availability("99.0"),)),
            Tier("premium", "Premium", (_availability("99.9"),)),
        ),
    )


@pytest.fixture
def service_signed() -> list[Agreement.Event]:
    """Given: service SLA svc-1 (tiers basic and premium) signed for a term from 2024-01-01."""
    agreement = Agreement.sign("svc-1", _service_terms(), SIGNED_AT, recorded_at=SIGNED_AT)
    return list(agreement.collect_events())  # type: ignore[arg-type]


@pytest.fixture
def service(service_signed: list[Agreement.Event]) -> Agreement:
    """The service SLA as its signing left it."""
    return service_from(service_signed)


@pytest.fixture
def subscribe(service: Agreement) -> Subscribe:
    """Subscription.subscribe to the service: globex on basic from February, no end; keywords
    replace arguments."""

    def build(**overrides: Any) -> Subscription:
        arguments: dict[str, Any] = {
            "service": service,
            "customer": GLOBEX,
            "tier_id": "basic",
            "fee": BASIC_FEE,
            "start": FEBRUARY,
            "end": None,
            "recorded_at": RECORDED_AT,
        }
        arguments.update(overrides)
        return Subscription.subscribe(**arguments)

    return build


@pytest.fixture
def subscribed(subscribe: Subscribe) -> list[Subscription.Event]:
    """Given: globex subscribed on basic from 2024-02-01, with no end."""
    return collect(subscribe())


@pytest.fixture
def subscribed_until_september(subscribe: Subscribe) -> list[Subscription.Event]:
    """Given: globex subscribed on basic from 2024-02-01 until 2024-09-01."""
    return collect(subscribe(end=SEPTEMBER))


@pytest.fixture
def ended_in_june(subscribed: list[Subscription.Event]) -> list[Subscription.Event]:
    """Given also: the subscription ended at 2024-06-01."""
    subscription = replay(subscribed)
    subscription.end_subscription(JUNE, "moved on", RECORDED_AT)
    return [*subscribed, *collect(subscription)]
