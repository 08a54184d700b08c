"""Rollup evaluation: a window evaluated from rollup sums and the few readings they cannot answer.

A window is evaluated from the rollups of the buckets that lie wholly inside it and are wholly
in or out of business hours and exclusions, and from the readings themselves in the few
buckets that do not (the window's edges, the bucket holding as_of, exclusion edges, schedule
edges). The sums are those of rollup_sums.py.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, localcontext
from enum import Enum

from domain.compliance import (
    EXACT_SUM_PRECISION,
    Tally,
    Track,
    TrackResult,
    cutoff_us,
    new_tallies,
    tally_readings,
    track_results,
)
from domain.exclusions import ExcludedSpans, Exclusion
from domain.instants import from_epoch_us, to_epoch_us
from domain.measurements import Measurement
from domain.objectives import Comparison, Indicator, Schedule
from domain.periods import schedule_spans
from domain.rollup_sums import BUCKET_US, BucketSums, SpanSums, bucket_of
from domain.terms import Objective


class BucketUse(Enum):
    """How a window uses one bucket."""

    OUTSIDE = "outside"  # no part of it counts
    READINGS = "readings"  # only reading by reading gives the answer
    EXCLUDED = "excluded"  # wholly excluded
    SCHEDULED = "scheduled"  # wholly in business hours (or there is no schedule)
    OFF_SCHEDULE = "off_schedule"  # wholly outside business hours, judged on the second track
    UNCOUNTED = "uncounted"  # wholly outside business hours, without a second track


class WindowPlan:
    """Which buckets of a window can be evaluated from rollups, and how."""

    def __init__(
        self,
        objective: Objective,
        window_start: datetime,
        window_end: datetime,
        exclusions: Sequence[Exclusion],
        time_zone: str,
        as_of: datetime,
    ) -> None:
        self.objective = objective
        self.window_start = window_start
        self.window_end = window_end
        self.as_of = as_of
        self.time_zone = time_zone
        self.start_us = to_epoch_us(window_start)
        self.end_us = cutoff_us(window_end, as_of)
        self.excluded = ExcludedSpans(exclusions, objective.objective_id)
        self._uses: dict[int, BucketUse] = {}
        self._edges: list[int] | None = None

    @property
    def first_bucket_us(self) -> int:
        """The first bucket that holds part of the window."""
        return bucket_of(self.start_us)

    @property
    def end_bucket_us(self) -> int:
        """The end (exclusive) of the last bucket that holds part of the window."""
        return bucket_of(self.end_us - 1) + BUCKET_US if self.end_us > self.start_us else 0

    def uniform_use(self, first_bucket_us: int, last_bucket_us: int) -> BucketUse | None:
        """The use of every bucket from first to last when it is the same for all of them
        and needs no readings (without a schedule); None when the buckets must be looked at."""
        start, end = first_bucket_us, last_bucket_us + BUCKET_US
        if end <= self.start_us or start >= self.end_us:
            return BucketUse.OUTSIDE
        rules = self.objective.rules
        if rules.indicator is Indicator.TIME_SLICES or rules.schedule is not None:
            return None
        if start < self.start_us or end > self.end_us:
            return None
        excluded = self.excluded.overlap(start, end - 1)
        if excluded is not None:
            return BucketUse.EXCLUDED if excluded else None
        return BucketUse.SCHEDULED

    def reading_spans(self) -> list[tuple[int, int]]:
        """The merged [start, end) spans (epoch µs) whose readings must be read one by one."""
        spans: list[tuple[int, int]] = []
        for bucket in self._candidate_reading_buckets():
            if self.use(bucket) is not BucketUse.READINGS:
                continue
            if spans and spans[-1][1] == bucket:
                spans[-1] = (spans[-1][0], bucket + BUCKET_US)
            elif not spans or spans[-1][1] < bucket:
                spans.append((bucket, bucket + BUCKET_US))
        return spans

    def use(self, bucket_us: int) -> BucketUse:
        """How the window uses the bucket starting at bucket_us."""
        found = self._uses.get(bucket_us)
        if found is None:
            found = self._uses[bucket_us] = self._classify(bucket_us)
        return found

    def _schedule_edges(self, schedule: Schedule) -> list[int]:
        """The edges (epoch µs) of the business-hours spans over the window's buckets, in
        order, touching spans merged: two bisects then classify a bucket, where reading the
        wall clock at its ends cost a time-zone conversion each."""
        if self._edges is None:
            edges: list[int] = []
            if self.end_bucket_us > self.first_bucket_us:
                walk = schedule_spans(
                    schedule,
                    from_epoch_us(self.first_bucket_us),
                    from_epoch_us(self.end_bucket_us),
                    self.time_zone,
                )
                for low, high in walk:
                    low_us, high_us = to_epoch_us(low), to_epoch_us(high)
                    if edges and edges[-1] == low_us:
                        edges[-1] = high_us
                    else:
                        edges += [low_us, high_us]
            self._edges = edges
        return self._edges

    def _candidate_reading_buckets(self) -> list[int]:
        if self.end_us <= self.start_us:
            return []
        if self.objective.rules.indicator is Indicator.TIME_SLICES:
            return list(range(self.first_bucket_us, self.end_bucket_us, BUCKET_US))
        candidates = {self.first_bucket_us, self.end_bucket_us - BUCKET_US}
        for start, end in self.excluded.spans:
            candidates.update((bucket_of(start), bucket_of(end - 1)))
        if self.objective.rules.schedule is not None:
            candidates.update(range(self.first_bucket_us, self.end_bucket_us, BUCKET_US))
        return sorted(b for b in candidates if self.first_bucket_us <= b < self.end_bucket_us)

    def _classify(self, bucket_us: int) -> BucketUse:
        last_us = bucket_us + BUCKET_US - 1
        if last_us < self.start_us or bucket_us >= self.end_us:
            return BucketUse.OUTSIDE
        rules = self.objective.rules
        # Slices need every reading; so does a bucket cut by the window's start or cutoff.
        if rules.indicator is Indicator.TIME_SLICES:
            return BucketUse.READINGS
        if bucket_us < self.start_us or last_us >= self.end_us:
            return BucketUse.READINGS
        excluded = self.excluded.overlap(bucket_us, last_us)
        if excluded is not None:
            return BucketUse.EXCLUDED if excluded else BucketUse.READINGS
        if rules.schedule is None:
            return BucketUse.SCHEDULED
        inside = _wholly_in(self._schedule_edges(rules.schedule), bucket_us)
        if inside is None:
            return BucketUse.READINGS
        if inside:
            return BucketUse.SCHEDULED
        if rules.off_schedule_target_percent is None:
            return BucketUse.UNCOUNTED
        return BucketUse.OFF_SCHEDULE


def _wholly_in(edges: Sequence[int], bucket_us: int) -> bool | None:
    """True or False when the whole bucket is in or out of the spans whose [start, end) edges
    are listed in order; None when an edge falls inside it."""
    at_first = bisect.bisect_right(edges, bucket_us)
    if bisect.bisect_right(edges, bucket_us + BUCKET_US - 1) != at_first:
        return None
    return at_first % 2 == 1


def evaluate_rollups(
    plan: WindowPlan,
    spans: Iterable[SpanSums],
    readings: Iterable[Measurement],
) -> list[TrackResult]:
    """Evaluate a window from rollups and readings; the oracle's answer when, for every bucket
    the plan reads reading by reading, readings holds all of that bucket's readings, and every
    other bucket's sums are in spans once. Rollups of reading buckets and readings of other
    buckets are ignored, so callers may pass supersets of each."""
    tallies = new_tallies()
    excluded = tally_rollups(plan, spans, readings, tallies)
    return track_results(
        plan.objective,
        tallies,
        plan.window_start,
        plan.window_end,
        plan.as_of,
        excluded,
        plan.time_zone,
    )


def tally_rollups(
    plan: WindowPlan,
    spans: Iterable[SpanSums],
    readings: Iterable[Measurement],
    tallies: dict[Track, Tally],
) -> int:
    """Count what the plan's [start_us, end_us) holds into tallies, from rollups and readings as
    evaluate_rollups does; how many readings were excluded."""
    objective = plan.objective
    read = BucketUse.READINGS
    in_buckets = [r for r in readings if plan.use(bucket_of(r.observed_at_us)) is read]
    excluded = tally_readings(
        objective, in_buckets, plan.start_us, plan.end_us, plan.excluded, plan.time_zone, tallies
    )
    in_scope = _ScopeCheck(objective)
    by_totals = objective.rules.indicator is not Indicator.THRESHOLD
    for span in spans:
        if span.objective_id != objective.objective_id:
            continue
        use = plan.uniform_use(span.first_bucket_us, span.last_bucket_us)
        if use is BucketUse.OUTSIDE:
            continue
        if use is not None and span.totals is not None and by_totals:
            for total in span.totals:
                if in_scope(total.labels):
                    excluded += _add_bucket(tallies, objective, use, total)
            continue
        for sums in span.buckets():
            use = plan.use(sums.bucket_us)
            if use not in _NOT_FROM_ROLLUPS and in_scope(sums.labels):
                excluded += _add_bucket(tallies, objective, use, sums)
    return excluded


_NOT_FROM_ROLLUPS = (BucketUse.OUTSIDE, BucketUse.READINGS, BucketUse.UNCOUNTED)


class _ScopeCheck:
    """Whether a label set (label_key text) is in the objective's label scope, memoised."""

    def __init__(self, objective: Objective) -> None:
        self._scope = objective.rules.label_scope
        self._known: dict[str, bool] = {}

    def __call__(self, labels_text: str) -> bool:
        if not self._scope:
            return True
        known = self._known.get(labels_text)
        if known is None:
            labels = json.loads(labels_text) if labels_text else {}
            known = self._known[labels_text] = all(
                labels.get(k) == v for k, v in self._scope.items()
            )
        return known


def _add_bucket(
    tallies: dict[Track, Tally], objective: Objective, use: BucketUse, sums: BucketSums
) -> int:
    """Count sums under use; the number of readings excluded."""
    if use is BucketUse.EXCLUDED:
        return sums.readings
    if use is BucketUse.UNCOUNTED:
        return 0
    track = Track.SCHEDULED if use is BucketUse.SCHEDULED else Track.OFF_SCHEDULE
    _add_sums(tallies[track], objective, sums)
    return 0


def _add_sums(tally: Tally, objective: Objective, sums: BucketSums) -> None:
    rules = objective.rules
    kind = rules.indicator
    if kind is Indicator.THRESHOLD:
        if rules.threshold is None or not sums.samples:
            return
        threshold = rules.threshold
        tally.good += _count_holding(sums.samples, threshold.comparison, threshold.value)
        tally.total += len(sums.samples)
        tally.readings += len(sums.samples)
    elif kind is Indicator.CUMULATIVE:
        with localcontext() as context:
            context.prec = EXACT_SUM_PRECISION
            tally.good += sums.cumulative_sum
        tally.readings += sums.cumulative_readings
    else:  # RATIO and COUNT_LIMIT; time slices never come from rollups
        tally.good += sums.good
        tally.total += sums.total
        tally.readings += sums.counted


def _as_decimal(sample: float) -> Decimal:
    return Decimal(repr(sample))


def _count_holding(samples: Sequence[float], comparison: Comparison, threshold: Decimal) -> int:
    """How many sorted samples satisfy sample <comparison> threshold, compared as evaluate does.

    Decimal(repr(x)) preserves the order of floats, so the samples stay sorted under it.
    """
    below = bisect.bisect_left(samples, threshold, key=_as_decimal)
    at_or_below = bisect.bisect_right(samples, threshold, key=_as_decimal)
    if comparison is Comparison.LT:
        return below
    if comparison is Comparison.LTE:
        return at_or_below
    if comparison is Comparison.GTE:
        return len(samples) - below
    return len(samples) - at_or_below
