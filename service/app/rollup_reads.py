"""What compliance from rollups reads beside the agreement's own streams (the rollups, and the
MetricMeasured events that rollups cannot answer for), and the evaluation of the windows from
them that every report from rollups shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar, cast

from domain.compliance import TrackResult
from domain.compliance_streams import day_streams
from domain.exclusions import Exclusion
from domain.instants import from_epoch_us, to_epoch_us
from domain.known_at import recorded_by
from domain.measurements import Measurement, MetricMeasured
from domain.period_walk import PeriodWindow
from domain.rollup_evaluation import WindowPlan, evaluate_rollups
from domain.rollup_sums import SpanSums, span_of, summarize_event
from projections.case_counts import CaseJudgementSnapshot
from service.app.event_log import EventLog

_T = TypeVar("_T")


def _unchanged(value: _T) -> _T:
    return value


class RollupSource(Protocol):
    """Where compliance reads rollups: the reading_rollups projection."""

    def window_rollups(
        self,
        agreement_id: str,
        windows: Sequence[tuple[str, int, int]],
        known_at_us: int,
        up_to: int,
    ) -> tuple[int, dict[str, list[tuple[int, SpanSums]]]]:
        """The position p the rollups reflect (at most up_to) and, per objective of windows
        (objective, start µs, end µs), the (log position, rollup) of the events recorded by
        known_at_us at positions <= p of the days overlapping the window that have one."""

    def case_snapshot(self) -> AbstractContextManager[CaseJudgementSnapshot]:
        """The case judgements read model at one position, read in one snapshot."""


def window_events(
    log: EventLog,
    agreement_id: str,
    plans: Iterable[tuple[str, WindowPlan]],
    covered: set[int],
    head: int,
) -> list[tuple[int, MetricMeasured]]:
    """MetricMeasured events the windows need beside rollups: every event of the days
    holding buckets to be read reading by reading, and every event not covered by one.
    plans: (objective id, plan) pairs, an objective's several parts of a window among them."""
    edge_days: set[str] = set()
    window_days: set[str] = set()
    for oid, plan in plans:
        for start, end in plan.reading_spans():
            edge_days.update(
                day_streams(agreement_id, oid, from_epoch_us(start), from_epoch_us(end - 1))
            )
        if plan.end_us > plan.start_us:
            first, last = from_epoch_us(plan.start_us), from_epoch_us(plan.end_us - 1)
            window_days.update(day_streams(agreement_id, oid, first, last))
    found = {n.id: n for n in log.stream_notifications(sorted(edge_days))}
    found.update(
        (n.id, n) for n in log.stream_notifications(sorted(window_days), excluding=covered)
    )
    return [
        (position, cast(MetricMeasured, log.decode(found[position])))
        for position in sorted(found)
        if position <= head
    ]


def rollup_results(
    log: EventLog,
    agreement_id: str,
    windows: Sequence[PeriodWindow],
    exclusions: Sequence[Exclusion],
    as_of: datetime,
    known_at: datetime,
    head: int,
    rollups: RollupSource,
    visible_span: Callable[[SpanSums], SpanSums] = _unchanged,
    visible: Callable[[list[Measurement]], list[Measurement]] = _unchanged,
) -> dict[str, list[TrackResult]]:
    """The tracks of each reading objective's window (case objectives are left out) at as_of as
    known at known_at: whole buckets from the rollups, the rest from the readings decoded.

    visible_span and visible narrow the rollups and the readings to what a view counts (a
    subscriber's of a service SLA); an agreement counts them all.
    """
    plans = {
        current.objective.objective_id: WindowPlan(
            current.objective,
            current.window_start,
            current.window_end,
            exclusions,
            current.terms.terms.time_zone,
            as_of,
        )
        for current in windows
        if current.objective.rules.case_clock is None
    }
    _, rolled_up = rollups.window_rollups(
        agreement_id,
        [(oid, plan.start_us, plan.end_us) for oid, plan in plans.items()],
        to_epoch_us(known_at),
        head,
    )
    spans = {oid: [visible_span(span) for _, span in found] for oid, found in rolled_up.items()}
    covered = {p for found in rolled_up.values() for p, _ in found}
    readings: dict[str, list[Measurement]] = {oid: [] for oid in plans}
    for event_position, event in window_events(log, agreement_id, plans.items(), covered, head):
        if not recorded_by(event, known_at):
            continue
        readings[event.objective_id].extend(event.measurements())
        if event_position not in covered:  # sparse, or beyond the projection
            spans[event.objective_id].append(visible_span(span_of(summarize_event(event))))
    return {
        oid: evaluate_rollups(plan, spans[oid], visible(readings[oid]))
        for oid, plan in plans.items()
    }
