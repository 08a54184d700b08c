"""The streams a compliance question needs, so it can be answered without the whole history.

The oracle answers from an agreement's own stream, its period-result streams (breaches and
credits of periods ended by as_of) and the readings observed in the window containing as_of.
Readings of other windows never change that answer, so fetching only these streams gives
exactly the oracle's answer at a cost that depends on the period, not on the length of history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from domain.agreement import Agreement
from domain.identifiers import agreement_stream, measurement_stream, period_stream
from domain.period_closing import period_at, walk_periods

_DAY = timedelta(days=1)


def compliance_streams(states: Iterable[Agreement], as_of: datetime) -> set[str]:
    """Every stream the oracle reads to answer at as_of, for any of the agreement's states.

    states are the agreement after each of its events: whatever known_at is asked, the
    agreement the oracle sees is one of them.
    """
    states = list(states)
    return period_result_streams(states, as_of) | window_day_streams(states, as_of)


def period_result_streams(states: Iterable[Agreement], as_of: datetime) -> set[str]:
    """The agreement's stream and the result streams of its periods ended by as_of."""
    streams: set[str] = set()
    for agreement in states:
        agreement_id = agreement.agreement_id
        streams.add(agreement_stream(agreement_id))
        for objective_id in _objective_ids(agreement):
            for period in walk_periods(agreement, objective_id):
                if period.window_start > as_of:
                    break
                if period.window_end <= as_of:
                    streams.add(period_stream(agreement_id, objective_id, period.period.label))
    return streams


def window_day_streams(states: Iterable[Agreement], as_of: datetime) -> set[str]:
    """The day streams of readings of the windows containing as_of."""
    streams: set[str] = set()
    for agreement in states:
        for objective_id in _objective_ids(agreement):
            current = period_at(agreement, objective_id, as_of)
            if current is None:
                continue
            last = min(current.window_end - timedelta(microseconds=1), as_of)
            streams.update(
                day_streams(agreement.agreement_id, objective_id, current.window_start, last)
            )
    return streams


def day_streams(agreement_id: str, objective_id: str, first: datetime, last: datetime) -> list[str]:
    """The objective's day streams from the UTC day holding first to the one holding last."""
    streams = []
    day = first.astimezone(UTC).date()
    while day <= last.astimezone(UTC).date():
        streams.append(measurement_stream(agreement_id, objective_id, day))
        day += _DAY
    return streams


def _objective_ids(agreement: Agreement) -> set[str]:
    return {o.objective_id for v in agreement.terms_versions for o in v.terms.objectives}
