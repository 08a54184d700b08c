"""A window's service readings summed once per 15-minute bucket, so that each subscriber with
data of its own in the window (an exclusion of its own, readings labelled with its customer id)
is evaluated from the sums and its own data, not from every reading again.

The evaluation is domain.rollup_evaluation.evaluate_rollups, which gives the oracle's answer
(domain.compliance.evaluate) whenever every bucket it reads reading by reading gets all of that
bucket's readings and every other bucket's sums are given once: the service's readings are
summed per UTC day (one span a day, so a day wholly inside the window and clear of exclusion
edges is counted from its totals), the subscriber's own readings are summed apart, and the
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
    """The sums and the bucket index of one window's service readings (of one objective)."""

    def __init__(self, readings: list[Measurement]) -> None:
        self._by_bucket: dict[int, list[Measurement]] = {}
        for reading in readings:
            self._by_bucket.setdefault(bucket_of(reading.observed_at_us), []).append(reading)
        by_day: dict[int, list[BucketSums]] = {}
        for sums in summarize(readings):
            by_day.setdefault(sums.bucket_us // _DAY_US, []).append(sums)
        self._spans: list[SpanSums] = [span_of(group) for _, group in sorted(by_day.items())]

    def evaluate(
        self, window: PeriodWindow, own: list[Measurement], exclusions: list[Exclusion]
    ) -> list[TrackResult]:
        """The window evaluated as at its end on the service's readings and a subscriber's own
        (own), with the exclusions its view counts."""
        plan = WindowPlan(
            window.objective,
            window.window_start,
            window.window_end,
            exclusions,
            window.terms.terms.time_zone,
            window.window_end,
        )
        spans = list(self._spans)
        if own:
            spans.append(span_of(summarize(own)))
        readings = [
            reading
            for start, end in plan.reading_spans()
            for bucket in range(start, end, BUCKET_US)
            for reading in self._by_bucket.get(bucket, ())
        ]
        return evaluate_rollups(plan, spans, [*readings, *own])
