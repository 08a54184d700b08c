"""Credits: refused inputs."""

from __future__ import annotations

import pytest

from domain.credits import credit_for
from tests.unit.credits.outcomes import BANDS_POLICY, breached, money


def test_a_negative_fee_cannot_earn_a_credit() -> None:
    # a negative fee would give a negative credit
    with pytest.raises(ValueError, match="not negative"):
        credit_for(BANDS_POLICY, breached("94"), money("-1.00", "USD"))


def test_a_fee_in_an_unknown_currency_cannot_earn_a_credit() -> None:
    # XYZ has no minor unit to round to
    with pytest.raises(ValueError, match="ISO 4217"):
        credit_for(BANDS_POLICY, breached("94"), money("1.00", "XYZ"))
