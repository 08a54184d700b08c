"""Builders for the application integration tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)

TermsFactory = Callable[..., AgreementTerms]
ReadingsFactory = Callable[..., list[Measurement]]


@pytest.fixture
def make_terms() -> TermsFactory:
    """Valid terms with one monthly availability objective; keyword overrides replace fields."""

    def build(**overrides: Any) -> AgreementTerms:
        values: dict[str, Any] = {
            "provider": Party("acme", "Acme Hosting"),
            "customer": Party("globex", "Globex"),
            "kind": AgreementKind.CUSTOMER_BASED,
            "services": ("api",),
            "time_zone": "Europe/Berlin",
            "fee": Fee(Money(Decimal("1000.00"), "EUR"), PeriodUnit.MONTH),
            "term_start": SIGNED_AT,
            "term_end": None,
            "objectives": (
                Objective("availability", "availability", Decimal("99.9"), PeriodUnit.MONTH),
            ),
        }
        values.update(overrides)
        return AgreementTerms(**values)

    return build


@pytest.fixture
def make_readings() -> ReadingsFactory:
    """count one-minute readings of an objective from start, identified by time slice."""

    def build(
        count: int, start: datetime = SIGNED_AT, objective_id: str = "availability"
    ) -> list[Measurement]:
        first = to_epoch_us(start)
        minute = to_epoch_us(start + timedelta(minutes=1)) - first
        return [
            Measurement(objective_id, "", first + i * minute, good=59 + i % 2, total=60)
            for i in range(count)
        ]

    return build
