"""The rollups read model: one row per MetricMeasured event holding its per-bucket sums.

A row per recording event (not per bucket) keeps the table as small as the log's measurement
events and lets a question as of any record time pick exactly the events recorded by then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, insert, select

from domain.instants import MICROSECONDS_PER_DAY, to_epoch_us
from domain.measurements import MetricMeasured
from domain.rollup_sums import BUCKET_US, BucketSums, SpanSums, roll_up
from projections.tables import projection_tracking, reading_rollups

NAME = "reading_rollups"


class ReadingRollups:
    """Projects every MetricMeasured event into its rollups."""

    name = NAME
    tables: tuple[Table, ...] = (reading_rollups,)
    topics = frozenset({get_topic(MetricMeasured)})

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Insert one row per MetricMeasured event of the batch."""
        rows = []
        for position, event in events:
            if not isinstance(event, MetricMeasured):
                continue
            first_at = event.observed_at_us[0]
            day_us = first_at - first_at % MICROSECONDS_PER_DAY  # the event's UTC day
            rollup = roll_up(event)
            if rollup is None:
                continue  # sparse: a query sums the event from the log instead
            rows.append(
                {
                    "position": position,
                    "agreement_id": event.agreement_id,
                    "objective_id": event.objective_id,
                    "day_us": day_us,
                    "first_bucket_us": rollup.first_bucket_us,
                    "last_bucket_us": rollup.last_bucket_us,
                    "recorded_at_us": to_epoch_us(event.timestamp),
                    "totals": encode_totals(rollup.totals),
                    "sums": encode_sums(rollup.buckets, day_us),
                }
            )
        if rows:
            connection.execute(insert(reading_rollups), rows)


def encode_totals(totals: Sequence[BucketSums]) -> str:
    """Compact JSON of a span's totals (which carry no samples)."""
    if len(totals) == 1 and not totals[0].labels:  # the common case, written without json
        t = totals[0]
        return (
            f'[["",{t.readings},{t.counted},{t.good},{t.total},'
            f'{t.cumulative_readings},"{t.cumulative_sum}"]]'
        )
    return json.dumps(
        [
            (
                t.labels,
                t.readings,
                t.counted,
                t.good,
                t.total,
                t.cumulative_readings,
                str(t.cumulative_sum),
            )
            for t in totals
        ],
        separators=(",", ":"),
    )


def decode_totals(objective_id: str, first_bucket_us: int, text: str) -> list[BucketSums]:
    """The totals encode_totals wrote."""
    return [
        BucketSums(
            objective_id,
            first_bucket_us,
            labels,
            readings,
            counted,
            good,
            total,
            (),
            cumulative_readings,
            Decimal(cumulative_sum),
        )
        for labels, readings, counted, good, total, cumulative_readings, cumulative_sum in (
            json.loads(text)
        )
    ]


def encode_sums(sums: Iterable[BucketSums], day_us: int) -> str:
    """Compact JSON of one event's rollups: label sets once, then one array per bucket."""
    labels: dict[str, int] = {}
    buckets = []
    for s in sums:
        label_index = labels.setdefault(s.labels, len(labels))
        buckets.append(
            [
                (s.bucket_us - day_us) // BUCKET_US,
                label_index,
                s.readings,
                s.counted,
                s.good,
                s.total,
                s.cumulative_readings,
                str(s.cumulative_sum),
                list(s.samples),
            ]
        )
    return json.dumps({"labels": list(labels), "buckets": buckets}, separators=(",", ":"))


def decode_sums(objective_id: str, day_us: int, text: str) -> list[BucketSums]:
    """The rollups encode_sums wrote."""
    data = json.loads(text)
    labels = data["labels"]
    return [
        BucketSums(
            objective_id,
            day_us + offset * BUCKET_US,
            labels[label_index],
            readings,
            counted,
            good,
            total,
            tuple(samples),
            cumulative_readings,
            Decimal(cumulative_sum),
        )
        for (
            offset,
            label_index,
            readings,
            counted,
            good,
            total,
            cumulative_readings,
            cumulative_sum,
            samples,
        ) in data["buckets"]
    ]


def read_rollups(
    connection: Connection,
    agreement_id: str,
    objective_id: str,
    start_us: int,
    end_us: int,
    known_at_us: int,
    up_to: int,
) -> list[tuple[int, SpanSums]]:
    """(position, rollup) of the events of readings observed in days overlapping
    [start_us, end_us), recorded by known_at_us at log positions up to up_to; the buckets
    are decoded on demand. Events too sparse to roll up have no rollup."""
    first_day = start_us - start_us % MICROSECONDS_PER_DAY
    c = reading_rollups.c
    rows = connection.execute(
        select(c.position, c.day_us, c.first_bucket_us, c.last_bucket_us, c.totals, c.sums).where(
            c.agreement_id == agreement_id,
            c.objective_id == objective_id,
            c.day_us >= first_day,
            c.day_us < end_us,
            c.recorded_at_us <= known_at_us,
            c.position <= up_to,
        )
    )
    return [
        (
            position,
            SpanSums(
                objective_id,
                first_bucket_us,
                last_bucket_us,
                decode_totals(objective_id, first_bucket_us, totals),
                partial(decode_sums, objective_id, day_us, sums),
            ),
        )
        for position, day_us, first_bucket_us, last_bucket_us, totals, sums in rows
    ]


def rollups_position(connection: Connection) -> int:
    """The log position the rollups reflect."""
    row = connection.execute(
        select(projection_tracking.c.position).where(projection_tracking.c.name == NAME)
    ).first()
    return int(row[0]) if row else 0
