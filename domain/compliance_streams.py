"""The streams a compliance question needs, so it can be answered without the whole history.

The oracle answers from an agreement's own stream, its period-result streams (breaches and
credits of periods ended by as_of) and the readings observed in the window containing as_of.
Readings of other windows never change that answer, so fetching only these streams gives
exactly the oracle's answer at a cost that depends on the period, not on the length of history.
Case objectives are judged from the case streams of the cases that may be judged in their
windows (case_window_bounds gives the span; the case index finds the cases).
The result streams are those the store holds (results_before picks them by label); the day
streams are those of the windows holding as_of, found without walking from the term start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from domain.agreement import Agreement
from domain.compliance import cutoff_us
from domain.identifiers import measurement_stream
from domain.instants import to_epoch_us
from domain.period_walk import period_at
from domain.periods import label_first_day

_DAY = timedelta(days=1)


def results_before(period_streams: Iterable[str], as_of: datetime) -> set[str]:
    """Those of an agreement's period streams whose period may have ended by as_of.

    Read from the label alone: a period starts less than a day before the UTC midnight of its
    first day (the easternmost zones are 14 hours ahead; a local mean time of the past up to 16),
    so one whose first day begins two days after as_of ends after it. Every stream kept this way
    whose period ends after as_of is left out by the oracle, as any stream it is not given.
    """
    latest = as_of.astimezone(UTC).date() + 2 * _DAY
    return {
        stream
        for stream in period_streams
        if label_first_day(stream.rsplit("/period:", 1)[1]) <= latest
    }


def window_day_streams(states: Iterable[Agreement], as_of: datetime) -> set[str]:
    """The day streams of readings of the windows containing as_of."""
    streams: set[str] = set()
    for agreement in states:
        for objective_id in agreement.objective_ids:
            current = period_at(agreement, objective_id, as_of)
            if current is None:
                continue
            last = min(current.window_end - timedelta(microseconds=1), as_of)
            streams.update(
                day_streams(agreement.agreement_id, objective_id, current.window_start, last)
            )
    return streams


def case_window_bounds(states: Iterable[Agreement], as_of: datetime) -> tuple[int, int] | None:
    """[start, cutoff) in UTC µs spanning the windows holding as_of of every case objective of
    the states (what counts at as_of: cutoff_us); None when no window is of a case objective.
    The cases that may be judged in any of those windows may be judged in this span."""
    bounds: tuple[int, int] | None = None
    for agreement in states:
        for objective_id in agreement.objective_ids:
            current = period_at(agreement, objective_id, as_of)
            if current is None or current.objective.rules.case_clock is None:
                continue
            start = to_epoch_us(current.window_start)
            cutoff = cutoff_us(current.window_end, as_of)
            if bounds is not None:
                start, cutoff = min(start, bounds[0]), max(cutoff, bounds[1])
            bounds = (start, cutoff)
    return bounds


def day_streams(agreement_id: str, objective_id: str, first: datetime, last: datetime) -> list[str]:
    """The objective's day streams from the UTC day holding first to the one holding last."""
    streams = []
    day = first.astimezone(UTC).date()
    while day <= last.astimezone(UTC).date():
        streams.append(measurement_stream(agreement_id, objective_id, day))
        day += _DAY
    return streams
