"""What compliance from rollups reads beside the agreement's own streams: the rollups, and
the MetricMeasured events that rollups cannot answer for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, cast

from domain.compliance_streams import day_streams
from domain.instants import from_epoch_us
from domain.measurements import MetricMeasured
from domain.rollup_evaluation import WindowPlan
from domain.rollup_sums import SpanSums
from projections.case_counts import CaseJudgementSnapshot
from service.app.event_log import EventLog


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
    plans: Mapping[str, WindowPlan],
    covered: set[int],
    head: int,
) -> list[tuple[int, MetricMeasured]]:
    """MetricMeasured events the windows need beside rollups: every event of the days
    holding buckets to be read reading by reading, and every event not covered by one."""
    edge_days: set[str] = set()
    window_days: set[str] = set()
    for oid, plan in plans.items():
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
