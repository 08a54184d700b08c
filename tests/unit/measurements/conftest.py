"""The agreement the measurement tests record against."""

from __future__ import annotations

import pytest

from domain.agreement import Agreement
from tests.unit.measurements.readings import Sign


@pytest.fixture
def agreement(sign: Sign) -> Agreement:
    """Agreement sla-1 with objectives "availability" and "latency-p99"."""
    return sign(agreement_id="sla-1")
