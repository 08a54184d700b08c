"""An objective's service readings summed once per 15-minute bucket, a UTC day at a time, so that
every window a close judges is evaluated from the sums and the few readings they cannot answer:
a window shared by many subscribers once, and each window of its own (a subscription starting
mid-period, an exclusion of its own, readings labelled with its customer id) without going over
every reading again.

The evaluation is domain.rollup_evaluation.evaluate_rollups, which gives the oracle's answer
(domain.compliance.evaluate) whenever every bucket it reads reading by reading gets all of that
bucket's readings and every other bucket's sums are given once: the service's readings are
summed per UTC day (one span a day, so a day wholly inside the window and clear of exclusion
edges is counted from its totals), a subscriber's own readings are summed apart, and the
readings of the buckets the plan reads one by one come from an index by bucket.
"""

from __future__ import annotations

from domain.compliance import TrackResult
from domain.exclusions import Exclusion
from domain.measurements import Measurement
from domain.period_walk import PeriodWindow
from domain.rollup_evaluation import WindowPlan, evaluate_rollups
from domain.rollup_sums import BUCKET_US, BucketSums, SpanSums, bucket_of, span_of, summarize

_DAY_US = 86_400_000_000


class WindowSums:
    """The sums and the bucket index of one objective's service readings, by UTC day."""

    def __init__(self) -> None:
        self._by_bucket: dict[int, list[Measurement]] = {}
        self._days: dict[int, SpanSums] = {}

    def add(self, readings: list[Measurement]) -> None:
        """Add the service's readings of whole UTC days not added before."""
        for reading in readings:
            self._by_bucket.setdefault(bucket_of(reading.observed_at_us), []).append(reading)
        by_day: dict[int, list[BucketSums]] = {}
        for sums in summarize(readings):
            by_day.setdefault(sums.bucket_us // _DAY_US, []).append(sums)
        for day, group in by_day.items():
            if day in self._days:
                raise ValueError("a day's readings are added once, all together")
            self._days[day] = span_of(group)

    def evaluate(
        self, window: PeriodWindow, own: list[Measurement], exclusions: list[Exclusion]
    ) -> list[TrackResult]:
        """The window evaluated as at its end on the service's readings of its days (all of
        them added) and a subscriber's own (own, none for the service's shared view), with the
        exclusions the view counts."""
        plan = WindowPlan(
            window.objective,
            window.window_start,
            window.window_end,
            exclusions,
            window.terms.terms.time_zone,
            window.window_end,
        )
        first, last = plan.first_bucket_us // _DAY_US, (plan.end_bucket_us - 1) // _DAY_US
        spans = [self._days[day] for day in range(first, last + 1) if day in self._days]
        if own:
            spans.append(span_of(summarize(own)))
        readings = [
            reading
            for start, end in plan.reading_spans()
            for bucket in range(start, end, BUCKET_US)
            for reading in self._by_bucket.get(bucket, ())
        ]
        return evaluate_rollups(plan, spans, [*readings, *own])
