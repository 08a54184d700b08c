"""Which new readings fall in periods that were already closed (late data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.agreement import Agreement
from domain.identifiers import period_stream
from domain.instants import from_epoch_us
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
        for objective in version.terms.judged_objectives():
            units[objective.objective_id] = (objective.period, version.terms.time_zone)
    streams: dict[str, list[str]] = {}
    for stream, readings in groups.items():
        objective_id = readings[0].objective_id
        unit, zone = units[objective_id]
        streams[stream] = _period_streams(
            agreement.agreement_id, objective_id, unit, zone, [r.observed_at_us for r in readings]
        )
    return streams


def _period_streams(
    agreement_id: str, objective_id: str, unit: PeriodUnit, zone: str, instants: Sequence[int]
) -> list[str]:
    names: dict[str, str] = {}

    def period_of(observed_at_us: int) -> str:
        label = period_containing(from_epoch_us(observed_at_us), unit, zone).label
        name = names.get(label)
        if name is None:
            name = names[label] = period_stream(agreement_id, objective_id, label)
        return name

    first, last = period_of(min(instants)), period_of(max(instants))
    # Periods are intervals: when the earliest and latest reading share one, so do all between.
    if first == last:
        return [first] * len(instants)
    return [period_of(t) for t in instants]


def late_indexes(
    period_streams: Mapping[str, Sequence[str]], closed: set[str]
) -> dict[str, list[int]]:
    """For each measurement stream, the indexes of readings whose period stream is closed."""
    return {
        stream: [i for i, period in enumerate(periods) if period in closed]
        for stream, periods in period_streams.items()
        if any(period in closed for period in periods)
    }


def milestone_period_streams(agreement: Agreement, instants: Sequence[int]) -> list[set[str]]:
    """For each business instant, the period streams of the case objectives holding it (from
    each objective's newest definition): a milestone is late when one of them is closed."""
    calendars = {
        objective.objective_id: (objective.period, version.terms.time_zone)
        for version in agreement.terms_versions
        for objective in version.terms.objectives
        if objective.rules.case_clock is not None
    }
    found: list[set[str]] = [set() for _ in instants]
    for objective_id, (unit, zone) in calendars.items():
        streams = _period_streams(agreement.agreement_id, objective_id, unit, zone, instants)
        for names, stream in zip(found, streams, strict=True):
            names.add(stream)
    return found
