"""Which new readings fall in periods that were already closed (late data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.agreement import Agreement
from domain.identifiers import period_stream
from domain.measurements import Measurement
from domain.periods import period_containing
from domain.terms import PeriodUnit


def reading_period_streams(
    agreement: Agreement, groups: Mapping[str, Sequence[Measurement]]
) -> dict[str, list[str]]:
    """For each measurement stream, the period stream of each of its readings, by index.

    A reading's period is taken from the newest definition of its objective.
    """
    units: dict[str, tuple[PeriodUnit, str]] = {}
    for version in agreement.terms_versions:
        for objective in version.terms.objectives:
            units[objective.objective_id] = (objective.period, version.terms.time_zone)
    streams: dict[str, list[str]] = {}
    for stream, readings in groups.items():
        unit, zone = units[readings[0].objective_id]

        def label_of(reading: Measurement) -> str:
            return period_containing(reading.observed_at, unit, zone).label  # noqa: B023

        first, last = label_of(readings[0]), label_of(readings[-1])
        if first == last and all(
            readings[0].observed_at_us <= r.observed_at_us <= readings[-1].observed_at_us
            for r in readings
        ):
            labels = [first] * len(readings)
        else:
            labels = [label_of(r) for r in readings]
        streams[stream] = [
            period_stream(agreement.agreement_id, r.objective_id, label)
            for r, label in zip(readings, labels, strict=True)
        ]
    return streams


def late_indexes(
    period_streams: Mapping[str, Sequence[str]], closed: set[str]
) -> dict[str, list[int]]:
    """For each measurement stream, the indexes of readings whose period stream is closed."""
    return {
        stream: [i for i, period in enumerate(periods) if period in closed]
        for stream, periods in period_streams.items()
        if any(period in closed for period in periods)
    }
