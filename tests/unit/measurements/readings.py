"""Instants, readings and helpers the measurement tests share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.agreement import Agreement
from domain.instants import to_epoch_us
from domain.measurements import Measurement

Sign = Callable[..., Agreement]

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2024, 3, 11, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def counts(
    good: int,
    total: int,
    at: datetime = NOON,
    measurement_id: str = "",
    objective_id: str = "availability",
) -> Measurement:
    return Measurement(objective_id, measurement_id, to_epoch_us(at), good=good, total=total)


def sample(
    value: float,
    at: datetime = NOON,
    measurement_id: str = "",
    objective_id: str = "latency-p99",
) -> Measurement:
    return Measurement(objective_id, measurement_id, to_epoch_us(at), sample=value)
