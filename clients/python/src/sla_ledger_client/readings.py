"""Readings in column form, split into RecordMeasurements requests that fit the ledger's limits."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sla_ledger_client._generated.sla.ledger.v1 import ledger_service_pb2, terms_pb2
from sla_ledger_client.values import micros

# The ledger records at most this many readings in one call (domain MAX_BATCH_SIZE).
MAX_READINGS_PER_CALL = 50_000
# Kept free in each request for its other fields and framing.
REQUEST_RESERVE_BYTES = 64 * 1024


@dataclass(frozen=True)
class ReadingColumns:
    """Readings of one objective, column by column; counts (good, total) or samples."""

    objective_id: str
    observed_at: Sequence[datetime]
    good: Sequence[int] | None = None
    total: Sequence[int] | None = None
    samples: Sequence[float | Decimal] | None = None
    measurement_ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        size = len(self.observed_at)
        has_counts = self.good is not None or self.total is not None
        if has_counts == (self.samples is not None):
            raise ValueError("give either good and total counts, or samples")
        if has_counts and (self.good is None or self.total is None):
            raise ValueError("counts need both good and total")
        for name in ("good", "total", "samples", "measurement_ids"):
            column = getattr(self, name)
            if column is not None and len(column) != size:
                raise ValueError(f"{name} has {len(column)} values for {size} observed_at")
        for value in self.samples or ():
            if not math.isfinite(value):
                raise ValueError(f"samples must be finite, got {value!r}")

    def block(self, start: int, stop: int) -> terms_pb2.MeasurementColumns:
        """The wire block of readings start (inclusive) to stop (exclusive)."""
        block = terms_pb2.MeasurementColumns(objective_id=self.objective_id)
        block.observed_at_micros.extend(
            micros(at, f"observed_at[{start + i}]")
            for i, at in enumerate(self.observed_at[start:stop])
        )
        if self.samples is not None:
            block.samples.extend(float(v) for v in self.samples[start:stop])
        else:
            assert self.good is not None and self.total is not None
            block.good.extend(self.good[start:stop])
            block.total.extend(self.total[start:stop])
        if self.measurement_ids is not None:
            block.measurement_ids.extend(self.measurement_ids[start:stop])
        return block


def requests(
    agreement_id: str,
    columns: ReadingColumns,
    *,
    max_message_bytes: int,
    request_ids: Iterator[str],
) -> Iterator[ledger_service_pb2.RecordMeasurementsRequest]:
    """RecordMeasurements requests holding all the readings in order, each within the limits.

    A batch starts at up to MAX_READINGS_PER_CALL readings and is halved until its serialized
    size leaves REQUEST_RESERVE_BYTES of the message limit free.
    """
    budget = max(max_message_bytes - REQUEST_RESERVE_BYTES, 1024)
    start, size = 0, len(columns.observed_at)
    step = MAX_READINGS_PER_CALL
    while start < size:
        stop = min(size, start + step)
        block = columns.block(start, stop)
        if block.ByteSize() > budget and stop - start > 1:
            step = max(1, (stop - start) // 2)
            continue
        yield ledger_service_pb2.RecordMeasurementsRequest(
            agreement_id=agreement_id, columns=[block], request_id=next(request_ids)
        )
        start = stop
