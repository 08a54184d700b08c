"""A compliance series from rollups: each segment between two points counted from the rollups
of the buckets wholly inside it and the readings of the few it cuts (its edges, exclusion and
schedule edges), as one window is in rollup_evaluation.py; the segments' tallies accumulate
from point to point (compliance_series.cumulative_tracks)."""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Collection, Sequence
from dataclasses import replace

from domain.compliance import Tally, Track, TrackResult
from domain.compliance_series import SeriesPoint, cumulative_tracks, segment_bounds
from domain.exclusions import Exclusion
from domain.instants import from_epoch_us
from domain.measurements import Measurement, MetricMeasured
from domain.period_walk import PeriodWindow
from domain.rollup_evaluation import WindowPlan, tally_rollups
from domain.rollup_sums import BUCKET_US, SpanSums, bucket_of


def segment_plan(
    window: PeriodWindow, exclusions: Sequence[Exclusion], start_us: int, end_us: int
) -> WindowPlan:
    """The plan of the window's part [start_us, end_us): what counts there from rollups, and
    which buckets need their readings."""
    return WindowPlan(
        window.objective,
        from_epoch_us(start_us),
        window.window_end,
        exclusions,
        window.terms.terms.time_zone,
        from_epoch_us(end_us - 1),  # counts up to and at end - 1 µs: [start, end)
    )


def segment_plans(
    window: PeriodWindow, exclusions: Sequence[Exclusion], points: Sequence[SeriesPoint]
) -> list[WindowPlan]:
    """The plan of each segment between two points of the window."""
    return [segment_plan(window, exclusions, s, e) for s, e in segment_bounds(window, points)]


def rollup_tracks(
    window: PeriodWindow,
    exclusions: Sequence[Exclusion],
    points: Sequence[SeriesPoint],
    spans: Sequence[SpanSums],
    readings: Sequence[Measurement],
) -> list[list[TrackResult]]:
    """The tracks at each point from rollups and readings: the oracle's answer when readings
    holds every reading of the buckets some segment plan reads reading by reading, and spans the
    sums of every other bucket once (supersets of each are fine, as for evaluate_rollups)."""
    by_bucket: dict[int, list[Measurement]] = {}
    for reading in readings:
        by_bucket.setdefault(bucket_of(reading.observed_at_us), []).append(reading)
    kept = [replace(span, buckets=functools.cache(span.buckets)) for span in spans]

    def tally(start: int, end: int, tallies: dict[Track, Tally]) -> int:
        plan = segment_plan(window, exclusions, start, end)
        wanted = [
            reading
            for first, last in plan.reading_spans()
            for bucket in range(first, last, BUCKET_US)
            for reading in by_bucket.get(bucket, ())
        ]
        if bucket_of(start) == bucket_of(end - 1) and (start % BUCKET_US or end % BUCKET_US):
            inside: list[SpanSums] = []  # part of one bucket: its readings alone answer
        else:
            inside = [
                s for s in kept if s.first_bucket_us < end and s.last_bucket_us + BUCKET_US > start
            ]
        return tally_rollups(plan, inside, wanted, tallies)

    return cumulative_tracks(window.objective, window, points, tally)


def reading_buckets(plans: Sequence[WindowPlan]) -> set[int]:
    """The buckets (start µs) some plan reads reading by reading."""
    return {
        bucket
        for plan in plans
        for first, last in plan.reading_spans()
        for bucket in range(first, last, BUCKET_US)
    }


def readings_in(event: MetricMeasured, buckets: Collection[int]) -> list[Measurement]:
    """The readings an event recorded in those buckets, in the order received (without making
    one for every other reading)."""
    observed = event.observed_at_us
    if all(map(operator.le, observed, observed[1:])):  # in time order, as batches mostly are
        indexes = [
            i
            for bucket in sorted(buckets)
            for i in range(
                bisect.bisect_left(observed, bucket),
                bisect.bisect_left(observed, bucket + BUCKET_US),
            )
        ]
    else:
        indexes = [i for i, at in enumerate(observed) if at - at % BUCKET_US in buckets]
    return [
        Measurement(
            event.objective_id,
            event.measurement_ids[i],
            observed[i],
            event.good[i],
            event.total[i],
            event.sample[i],
            event.labels[i],
        )
        for i in indexes
    ]
