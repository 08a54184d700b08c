"""Measurements: readings of an objective's metric, recorded in bounded per-day batches.

A batch of readings becomes one MetricMeasured event per objective and UTC day it touches
(several, of consecutive versions, where one would exceed the size an event may take), appended
to that objective-day's stream. No stream grows beyond one day of one objective, no event beyond
domain.event_sizes.MAX_EVENT_BYTES, and every reading stays in the log with its identity, time
and value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from eventsourcing.domain import CanMutateAggregate

from domain.agreement import Agreement
from domain.errors import NotFoundError, Violations
from domain.event_sizes import READINGS_BYTES, plain_reading_bytes, reading_bytes
from domain.identifiers import IDENTIFIER_RULE, is_identifier, measurement_stream
from domain.input_ranges import labels_problem
from domain.instants import MICROSECONDS_PER_DAY, from_epoch_us
from domain.objectives import Indicator
from domain.resource_names import agreement_name

MAX_BATCH_SIZE = 50_000
_COUNTED = (Indicator.RATIO, Indicator.TIME_SLICES, Indicator.COUNT_LIMIT)


class Measurement(NamedTuple):
    """One reading: good/total counts or one sample value, observed at an instant (UTC µs).

    A NamedTuple rather than a frozen dataclass: ingest builds one per reading, and a tuple is
    several times cheaper to create.
    """

    objective_id: str
    measurement_id: str
    observed_at_us: int
    good: int | None = None
    total: int | None = None
    sample: float | None = None
    labels: Mapping[str, str] | None = None

    @property
    def observed_at(self) -> datetime:
        """When the reading was observed, as a UTC datetime."""
        return from_epoch_us(self.observed_at_us)

    @property
    def identity(self) -> str:
        """The client id, or the exact observed instant (µs) when the client gave none."""
        return self.measurement_id or f"@{self.observed_at_us}"


@dataclass(frozen=True)
class MetricMeasured(CanMutateAggregate[str]):
    """New readings of one objective observed within one UTC day, stored column by column."""

    originator_id: str
    originator_version: int
    timestamp: datetime
    agreement_id: str
    objective_id: str
    day: datetime
    measurement_ids: Sequence[str]
    observed_at_us: Sequence[int]
    good: Sequence[int | None]
    total: Sequence[int | None]
    sample: Sequence[float | None]
    labels: Sequence[Mapping[str, str] | None]
    late_indexes: Sequence[int] = ()

    def measurements(self) -> list[Measurement]:
        """The readings this event recorded, in the order received."""
        return [
            Measurement(self.objective_id, *columns)
            for columns in zip(
                self.measurement_ids,
                self.observed_at_us,
                self.good,
                self.total,
                self.sample,
                self.labels,
                strict=True,
            )
        ]


def validate_batch(
    agreement: Agreement | None,
    agreement_id: str,
    batch: Sequence[Measurement],
    latest_us: int | None = None,
) -> None:
    """Refuse the whole batch when the agreement or any reading is unknown or malformed, or
    observed after latest_us (the recording instant plus the clock skew allowed)."""
    if agreement is None:
        raise NotFoundError(
            f"agreement {agreement_id} does not exist",
            resource_type="agreement",
            resource_name=agreement_name(agreement_id),
        )
    violations = Violations()
    if not batch:
        violations.add("measurements", "at least one measurement is required")
    if len(batch) > MAX_BATCH_SIZE:
        violations.add("measurements", f"at most {MAX_BATCH_SIZE} measurements per call")
    violations.raise_if_any()
    indicators = objective_indicators(agreement)
    case_objectives = {
        o.objective_id
        for v in agreement.terms_versions
        for o in v.terms.judged_objectives()
        if o.rules.case_clock is not None
    }
    if case_objectives:
        for index, m in enumerate(batch):
            if m.objective_id in case_objectives:
                violations.add(
                    f"measurements[{index}].objective_id",
                    "a case objective is measured from case milestones (RecordCaseEvents)",
                )
        violations.raise_if_any()
    if not plainly_valid(batch, indicators, latest_us):
        reading_violations(batch, indicators, latest_us).raise_if_any()


def objective_indicators(agreement: Agreement) -> dict[str, Indicator]:
    """The indicator of each objective, from its newest definition (which decides what form its
    readings take)."""
    return {
        o.objective_id: o.rules.indicator
        for v in agreement.terms_versions
        for o in v.terms.judged_objectives()
    }


def reading_violations(
    batch: Sequence[Measurement], indicators: Mapping[str, Indicator], latest_us: int | None
) -> Violations:
    """What is wrong with each reading of a batch, checked one by one."""
    violations = Violations()
    for index, m in enumerate(batch):
        path = f"measurements[{index}]"
        indicator = indicators.get(m.objective_id)
        if indicator is None:
            violations.add(f"{path}.objective_id", f"agreement has no objective {m.objective_id!r}")
        elif indicator is Indicator.THRESHOLD and m.sample is None and m.good is not None:
            violations.add(f"{path}.sample", "a threshold objective takes samples, not counts")
        elif indicator in _COUNTED and m.sample is not None:
            violations.add(f"{path}.counts", f"a {indicator.value} objective takes counts")
        if m.measurement_id and not is_identifier(m.measurement_id):
            violations.add(f"{path}.measurement_id", f"empty or {IDENTIFIER_RULE}")
        if m.sample is not None:
            if not math.isfinite(m.sample):
                violations.add(f"{path}.sample", "must be a finite number")
        elif m.good is not None and m.total is not None:
            if m.good > m.total:
                violations.add(f"{path}.counts.good", "must not exceed counts.total")
        else:
            violations.add(path, "a reading needs counts or a sample")
        if latest_us is not None and m.observed_at_us > latest_us:
            violations.add(
                f"{path}.observed_at", "is in the future, beyond the clock skew the ledger allows"
            )
        if m.labels and (problem := labels_problem(m.labels)) is not None:
            violations.add(f"{path}.labels", problem)
    return violations


def plainly_valid(
    batch: Sequence[Measurement], indicators: Mapping[str, Indicator], latest_us: int | None
) -> bool:
    """Whether a non-empty batch of the usual shape passes every check of reading_violations,
    tested column by column (a fast path: False only means "check reading by reading")."""
    objective_ids, measurement_ids, observed, goods, totals, samples, labels = zip(
        *batch, strict=True
    )
    kinds = {indicators.get(objective_id) for objective_id in set(objective_ids)}
    if any(measurement_ids) or any(labels):
        return False
    if latest_us is not None and max(observed) > latest_us:
        return False
    if kinds <= set(_COUNTED):
        return (
            samples.count(None) == len(samples)
            and None not in goods
            and None not in totals
            and all(map(operator.le, goods, totals))
        )
    if kinds == {Indicator.THRESHOLD}:
        return None not in samples and all(map(math.isfinite, samples))
    return False


@dataclass(frozen=True)
class Deduplicated:
    """The readings of a batch that are new, with their keys, and how many were duplicates."""

    readings: list[Measurement]
    keys: list[bytes]
    duplicate_count: int

    @property
    def client_keys(self) -> list[bytes]:
        """The keys of the readings identified by a client id."""
        return [k for r, k in zip(self.readings, self.keys, strict=True) if r.measurement_id]


def deduplicate(
    batch: Sequence[Measurement], keys: Sequence[bytes], recorded_keys: Iterable[bytes]
) -> Deduplicated:
    """Drop readings already recorded or repeated earlier in the batch; the first one wins."""
    seen = set(recorded_keys)
    readings: list[Measurement] = []
    new_keys: list[bytes] = []
    for reading, key in zip(batch, keys, strict=True):
        if key in seen:
            continue
        seen.add(key)
        readings.append(reading)
        new_keys.append(key)
    return Deduplicated(readings, new_keys, len(batch) - len(readings))


def without_time_slices(fresh: Deduplicated, recorded: set[tuple[str, int]]) -> Deduplicated:
    """fresh without the readings identified by a time slice, (objective, instant), in recorded;
    they count as duplicates."""
    kept = [
        i
        for i, r in enumerate(fresh.readings)
        if r.measurement_id or (r.objective_id, r.observed_at_us) not in recorded
    ]
    return Deduplicated(
        [fresh.readings[i] for i in kept],
        [fresh.keys[i] for i in kept],
        fresh.duplicate_count + len(fresh.readings) - len(kept),
    )


def time_slice_span(readings: Iterable[Measurement]) -> tuple[int, int] | None:
    """The first and last instant of the readings identified by their time slice, if any."""
    instants = [r.observed_at_us for r in readings if not r.measurement_id]
    return (min(instants), max(instants)) if instants else None


def time_slices(event: MetricMeasured) -> set[tuple[str, int]]:
    """The time-slice identities, (objective, instant), of an event's readings without an id."""
    return {(event.objective_id, instant) for instant in _time_slice_instants(event)}


def time_slice_event_span(event: MetricMeasured) -> tuple[int, int] | None:
    """The first and last instant of an event's readings identified by their time slice."""
    instants = _time_slice_instants(event)
    return (min(instants), max(instants)) if instants else None


def _time_slice_instants(event: MetricMeasured) -> list[int]:
    if not any(event.measurement_ids):
        return list(event.observed_at_us)
    pairs = zip(event.observed_at_us, event.measurement_ids, strict=True)
    return [instant for instant, measurement_id in pairs if not measurement_id]


def group_by_stream(
    agreement_id: str, readings: Iterable[Measurement]
) -> dict[str, list[Measurement]]:
    """Readings grouped by the objective-day stream they belong to, in arrival order."""
    by_day: dict[tuple[str, int], list[Measurement]] = {}
    for reading in readings:
        slot = (reading.objective_id, reading.observed_at_us // MICROSECONDS_PER_DAY)
        group = by_day.get(slot)
        if group is None:
            group = by_day[slot] = []
        group.append(reading)
    return {
        measurement_stream(
            agreement_id, objective_id, from_epoch_us(day * MICROSECONDS_PER_DAY).date()
        ): group
        for (objective_id, day), group in by_day.items()
    }


def measured_events(
    agreement_id: str,
    groups: Mapping[str, Sequence[Measurement]],
    stream_heads: Mapping[str, int],
    recorded_at: datetime,
    late: Mapping[str, Sequence[int]] | None = None,
    readings_bytes: int = READINGS_BYTES,
) -> list[MetricMeasured]:
    """The MetricMeasured events of a batch: per stream, its readings in order, cut into as few
    events as keep each one's readings within readings_bytes (see domain.event_sizes), the
    events numbered from the stream's next version on.

    late maps a stream to the indexes of its readings whose period was already closed.
    """
    events = []
    for stream, readings in groups.items():
        first = readings[0]
        day_us = first.observed_at_us - first.observed_at_us % MICROSECONDS_PER_DAY
        late_here = list((late or {}).get(stream, ()))
        version = stream_heads.get(stream, 0)
        for low, high in _event_slices(readings, readings_bytes):
            part = readings[low:high]
            version += 1
            events.append(
                MetricMeasured(
                    originator_id=stream,
                    originator_version=version,
                    timestamp=recorded_at,
                    agreement_id=agreement_id,
                    objective_id=first.objective_id,
                    day=from_epoch_us(day_us),
                    measurement_ids=[r.measurement_id for r in part],
                    observed_at_us=[r.observed_at_us for r in part],
                    good=[r.good for r in part],
                    total=[r.total for r in part],
                    sample=[r.sample for r in part],
                    labels=[dict(r.labels) if r.labels else None for r in part],
                    late_indexes=[i - low for i in late_here if low <= i < high],
                )
            )
    return events


def _event_slices(readings: Sequence[Measurement], budget: int) -> list[tuple[int, int]]:
    """[low, high) index ranges of consecutive readings whose bytes stay within budget; every
    range holds at least one reading."""
    plain = plain_reading_bytes(readings[0].objective_id)
    if not any(r.measurement_id or r.labels for r in readings):
        step = max(1, budget // plain)
        return [(low, min(low + step, len(readings))) for low in range(0, len(readings), step)]
    slices: list[tuple[int, int]] = []
    low, used = 0, 0
    for index, r in enumerate(readings):
        cost = reading_bytes(r.objective_id, r.measurement_id, r.labels)
        if index > low and used + cost > budget:
            slices.append((low, index))
            low, used = index, 0
        used += cost
    slices.append((low, len(readings)))
    return slices
