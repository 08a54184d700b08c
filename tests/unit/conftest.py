"""Factories for the domain unit tests, exposed as fixtures that return plain functions.

Test modules cannot import from here (there are no packages under tests/), so each factory is
a fixture; tests annotate them as ``Callable[..., T]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement, replay_agreement
from domain.money import Money
from domain.objectives import Comparison, Indicator, ObjectiveRules, Threshold
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

TERM_START = datetime(2024, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2023, 12, 1, tzinfo=UTC)
RECORDED_AT = datetime(2023, 12, 1, 9, 30, tzinfo=UTC)


def _objective(**overrides: Any) -> Objective:
    base = Objective(
        objective_id="availability",
        metric="availability",
        target_percent=Decimal("99.9"),
        period=PeriodUnit.MONTH,
    )
    return dataclasses.replace(base, **overrides)


def _terms(**overrides: Any) -> AgreementTerms:
    base = AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party("globex", "Globex Corporation"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute", "storage"),
        time_zone="Europe/Berlin",
        fee=Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
        term_start=TERM_START,
        term_end=None,
        objectives=(
            _objective(),
            _objective(
                objective_id="latency-p99",
                metric="latency",
                target_percent=Decimal(99),
                rules=ObjectiveRules(
                    indicator=Indicator.THRESHOLD,
                    threshold=Threshold(Comparison.LTE, Decimal("0.5")),
                ),
            ),
        ),
    )
    return dataclasses.replace(base, **overrides)


def _sign(**overrides: Any) -> Agreement:
    arguments: dict[str, Any] = {
        "agreement_id": "sla-1",
        "terms": _terms(),
        "signed_at": SIGNED_AT,
        "recorded_at": RECORDED_AT,
    }
    arguments.update(overrides)
    return Agreement.sign(**arguments)


def _collect(agreement: Agreement) -> list[Agreement.Event]:
    events = agreement.collect_events()
    typed = [event for event in events if isinstance(event, Agreement.Event)]
    assert len(typed) == len(events), f"not all agreement events: {events!r}"
    return typed


def _replay(events: Iterable[Agreement.Event]) -> Agreement:
    agreement = replay_agreement(events)
    assert agreement is not None, "no events to replay"
    return agreement


@pytest.fixture
def make_objective() -> Callable[..., Objective]:
    """An objective of 99.9% monthly availability; keyword arguments replace fields."""
    return _objective


@pytest.fixture
def make_terms() -> Callable[..., AgreementTerms]:
    """Valid terms starting 2024-01-01T00:00Z with two objectives; keywords replace fields."""
    return _terms


@pytest.fixture
def sign() -> Callable[..., Agreement]:
    """Agreement.sign with valid defaults (signed 2023-12-01); keywords replace arguments."""
    return _sign


@pytest.fixture
def collect() -> Callable[[Agreement], list[Agreement.Event]]:
    """The agreement's pending events, checked to be Agreement events."""
    return _collect


@pytest.fixture
def replay() -> Callable[[Iterable[Agreement.Event]], Agreement]:
    """The agreement rebuilt from a non-empty history."""
    return _replay
