"""How far each read model is behind the log, computed when Prometheus scrapes.

Per scrape: one read of the log's head, one read of each read model's tracking position, and
for each distinct position behind the head one read (and decode) of the event after it, the
oldest the read model has not applied. Its record time gives the lag in seconds; a read model
that has caught up lags 0 positions and 0 seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from projections.log_source import LogSource
from projections.read_models import ReadModels
from service.app.application import Clock

logger = logging.getLogger("sla_ledger.metrics")


class ProjectionLagCollector(Collector):
    """sla_ledger_projection_lag_positions and _seconds, one series per read model."""

    def __init__(self, log: LogSource, read_models: ReadModels, clock: Clock) -> None:
        self._log = log
        self._read_models = read_models
        self._clock = clock

    def describe(self) -> list[Metric]:
        """The two families, without samples (so registering reads nothing)."""
        return [_positions(), _seconds()]

    def collect(self) -> Iterator[Metric]:
        """The lag of every read model now; no samples when the storage does not answer."""
        positions, seconds = _positions(), _seconds()
        try:
            head = self._log.head()
            reached = {r.name: r.position() for r in self._read_models.runners}
            now = self._clock()
            ages = {p: self._age(p, now) for p in set(reached.values()) if p < head}
        except Exception:
            logger.warning("projection lag not measured", exc_info=True)
            yield positions
            yield seconds
            return
        for name, position in sorted(reached.items()):
            positions.add_metric([name], max(0, head - position))
            seconds.add_metric([name], ages.get(position, 0.0))
        yield positions
        yield seconds

    def _age(self, position: int, now: datetime) -> float:
        """Seconds since the event after position was recorded."""
        entries = self._log.read_log(position, 1)
        if not entries:
            return 0.0
        recorded = getattr(entries[0].event(), "timestamp", None)
        if not isinstance(recorded, datetime):
            return 0.0
        return max(0.0, (now - recorded).total_seconds())


def _positions() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "sla_ledger_projection_lag_positions",
        "Log positions a read model has not applied yet.",
        labels=["read_model"],
    )


def _seconds() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "sla_ledger_projection_lag_seconds",
        "Seconds since the oldest event a read model has not applied was recorded; 0 when it "
        "has caught up.",
        labels=["read_model"],
    )
