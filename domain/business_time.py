"""Counted time on a schedule, in microseconds: how much lies in a span, and when an amount of
it has passed. Without a schedule every instant counts."""

from __future__ import annotations

from datetime import timedelta

from domain.input_ranges import END_OF_INSTANTS
from domain.instants import from_epoch_us, to_epoch_us
from domain.objectives import Schedule
from domain.periods import schedule_spans, scheduled_duration

_END_US = to_epoch_us(END_OF_INSTANTS)
_MICROSECOND = timedelta(microseconds=1)


def counted_us(schedule: Schedule | None, start_us: int, end_us: int, time_zone: str) -> int:
    """The counted microseconds within [start_us, end_us)."""
    if end_us <= start_us:
        return 0
    if schedule is None:
        return end_us - start_us
    span = scheduled_duration(schedule, from_epoch_us(start_us), from_epoch_us(end_us), time_zone)
    return span // _MICROSECOND


def instant_passing(
    schedule: Schedule | None, start_us: int, amount_us: int, time_zone: str
) -> int | None:
    """The first instant t at or after start_us with amount_us counted in [start_us, t) and the
    next microsecond counted too: where a clock running from start_us passes amount_us. None
    when that lies beyond the last instant the ledger knows (2200-01-01)."""
    if schedule is None:
        found = start_us + amount_us
        return found if found < _END_US else None
    left = amount_us
    for low, high in schedule_spans(schedule, from_epoch_us(start_us), None, time_zone):
        low_us, high_us = to_epoch_us(low), to_epoch_us(high)
        if low_us >= _END_US:
            return None
        length = high_us - low_us
        if length > left:
            found = low_us + left
            return found if found < _END_US else None
        left -= length
    return None
