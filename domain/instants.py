"""Instants as integers: microseconds since the Unix epoch, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDS_PER_DAY = 86_400_000_000


def to_epoch_us(instant: datetime) -> int:
    """Microseconds since the Unix epoch of a timezone-aware instant."""
    return (instant - EPOCH) // timedelta(microseconds=1)


def from_epoch_us(microseconds: int) -> datetime:
    """The UTC instant that many microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=microseconds)
