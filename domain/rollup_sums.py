"""Rollup sums: the sums of an objective's readings per 15-minute bucket, label set and
recording event, and the spans of one event's rollups.

A rollup keeps what every indicator but time slices needs from the readings of one bucket, and
nothing that depends on the objective's rules (targets, thresholds, schedules and exclusions
change with amendments and later records). Because a rollup belongs to one recording event,
filtering rollups by record time answers any known_at exactly. How a window is evaluated from
them is in rollup_evaluation.py.
"""

from __future__ import annotations

import bisect
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import cast

from domain.compliance import EXACT_SUM_PRECISION
from domain.measurements import Measurement, MetricMeasured

BUCKET_US = 15 * 60 * 1_000_000  # local offsets and business hours fall on quarter hours


@dataclass(frozen=True)
class BucketSums:
    """The readings of one objective with one label set in one bucket, recorded by one event."""

    objective_id: str
    bucket_us: int
    labels: str  # label_key() of the readings' labels
    readings: int
    counted: int  # readings with good and total
    good: int
    total: int
    samples: tuple[float, ...]  # every sample, sorted
    cumulative_readings: int  # readings with a sample, or with good counts
    cumulative_sum: Decimal  # exact: the samples, or good counts where there is no sample


def bucket_of(observed_at_us: int) -> int:
    """The start (epoch µs) of the bucket holding an instant."""
    return observed_at_us - observed_at_us % BUCKET_US


def label_key(labels: Mapping[str, str] | None) -> str:
    """A canonical text for a label set; empty without labels."""
    return json.dumps(labels, sort_keys=True, separators=(",", ":")) if labels else ""


def summarize_event(event: MetricMeasured) -> list[BucketSums]:
    """The rollups of the readings one MetricMeasured event recorded."""
    return summarize(event.measurements())


@dataclass(frozen=True)
class EventRollup:
    """What the rollups projection keeps of one MetricMeasured event: span_of its summary."""

    first_bucket_us: int
    last_bucket_us: int
    totals: list[BucketSums]
    buckets: list[BucketSums]


def roll_up(event: MetricMeasured) -> EventRollup | None:
    """The rollup worth keeping of one event; None when most of its buckets would hold a single
    reading, as a query sums such an event from the log as quickly as it reads stored sums.

    Plain counts (no samples, no labels) are summed column by column, without a tuple per
    reading; the result is the same as span_of(summarize_event(event)).
    """
    count = len(event.observed_at_us)
    offsets = [at - at % BUCKET_US for at in event.observed_at_us]
    distinct = sorted(set(offsets))
    if 2 * len(distinct) > count:
        return None
    plain = (
        not any(event.labels)
        and list(event.sample).count(None) == count
        and None not in event.good
        and None not in event.total
    )
    if plain:
        buckets = _plain_buckets(
            event.objective_id,
            offsets,
            distinct,
            cast(Sequence[int], event.good),
            cast(Sequence[int], event.total),
        )
    else:
        buckets = summarize_event(event)
    span = span_of(buckets)
    return EventRollup(distinct[0], distinct[-1], list(span.totals or ()), buckets)


def _plain_buckets(
    objective_id: str,
    offsets: list[int],
    distinct: list[int],
    goods: Sequence[int],
    totals: Sequence[int],
) -> list[BucketSums]:
    if all(map(operator.le, offsets, offsets[1:])):  # in time order: each bucket is one run
        bounds = [*(bisect.bisect_left(offsets, b) for b in distinct), len(offsets)]
        runs = [
            (bucket, end - start, sum(goods[start:end]), sum(totals[start:end]))
            for bucket, start, end in zip(distinct, bounds, bounds[1:], strict=False)
        ]
    else:
        per_bucket: dict[int, list[int]] = {}
        for bucket, g, t in zip(offsets, goods, totals, strict=True):
            found = per_bucket.get(bucket)
            if found is None:
                per_bucket[bucket] = [1, g, t]
            else:
                found[0] += 1
                found[1] += g
                found[2] += t
        runs = [(bucket, n, g, t) for bucket, (n, g, t) in sorted(per_bucket.items())]
    return [
        BucketSums(objective_id, bucket, "", n, n, g, t, (), n, Decimal(g))
        for bucket, n, g, t in runs
    ]


def summarize(readings: Iterable[Measurement]) -> list[BucketSums]:
    """The rollups of readings, one per objective, bucket and label set."""
    groups: dict[tuple[str, int, str], list[Measurement]] = {}
    for reading in readings:
        slot = (reading.objective_id, bucket_of(reading.observed_at_us), label_key(reading.labels))
        group = groups.get(slot)
        if group is None:
            group = groups[slot] = []
        group.append(reading)
    return [_sums(*slot, group) for slot, group in sorted(groups.items())]


def _sums(objective_id: str, bucket_us: int, labels: str, group: list[Measurement]) -> BucketSums:
    counted = good = total = cumulative_readings = 0
    samples: list[float] = []
    with localcontext() as context:
        context.prec = EXACT_SUM_PRECISION
        cumulative_sum = Decimal(0)
        for reading in group:
            if reading.good is not None and reading.total is not None:
                counted += 1
                good += reading.good
                total += reading.total
            if reading.sample is not None:
                samples.append(reading.sample)
                cumulative_sum += Decimal(repr(reading.sample))
                cumulative_readings += 1
            elif reading.good is not None:
                cumulative_sum += reading.good
                cumulative_readings += 1
    samples.sort()
    return BucketSums(
        objective_id,
        bucket_us,
        labels,
        len(group),
        counted,
        good,
        total,
        tuple(samples),
        cumulative_readings,
        cumulative_sum,
    )


@dataclass(frozen=True)
class SpanSums:
    """The rollups of one recording event: its buckets, and totals over them per label set.

    totals carry no samples (a threshold objective always reads the buckets); buckets may be a
    function that decodes them, so a window wholly covering the span never needs them.
    """

    objective_id: str
    first_bucket_us: int
    last_bucket_us: int
    totals: Sequence[BucketSums] | None
    buckets: Callable[[], Sequence[BucketSums]]


def span_of(sums: Sequence[BucketSums]) -> SpanSums:
    """The span of one event's rollups (all of one objective), with its totals."""
    merged: dict[str, list[BucketSums]] = {}
    for bucket in sums:
        merged.setdefault(bucket.labels, []).append(bucket)
    first = min(b.bucket_us for b in sums)
    totals = [_total(first, labels, group) for labels, group in sorted(merged.items())]
    buckets = tuple(sums)
    return SpanSums(
        sums[0].objective_id, first, max(b.bucket_us for b in sums), totals, lambda: buckets
    )


def _total(first_bucket_us: int, labels: str, group: list[BucketSums]) -> BucketSums:
    with localcontext() as context:
        context.prec = EXACT_SUM_PRECISION
        cumulative_sum = sum((b.cumulative_sum for b in group), Decimal(0))
    return BucketSums(
        group[0].objective_id,
        first_bucket_us,
        labels,
        sum(b.readings for b in group),
        sum(b.counted for b in group),
        sum(b.good for b in group),
        sum(b.total for b in group),
        (),
        sum(b.cumulative_readings for b in group),
        cumulative_sum,
    )
