"""The burn-up chart's rows: one per step of a series, the actual against the target line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from portal.formatting import instant
from portal.period_labels import local_day
from service.generated.sla.ledger.v1 import compliance_series_pb2, terms_pb2

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ChartRow:
    """One point of a track's series as the chart's data table shows it."""

    day: date  # the local day whose end (or as_of, for the last) the point stands at
    at: datetime
    actual: str  # achieved total for cumulative objectives, attainment so far otherwise
    target_line: str
    good: str
    total: str
    budget_remaining_percent: str
    readings: int
    status: int


def decimal_or_none(text: str) -> Decimal | None:
    """A figure the ledger showed, None when it showed none."""
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def actual_of(point: compliance_series_pb2.CompliancePoint, indicator: int) -> str:
    """What the chart plots as actual: the cumulative total, or the attainment so far."""
    return point.good if indicator == terms_pb2.INDICATOR_CUMULATIVE else point.attained


def chart_rows(track: compliance_series_pb2.TrackSeries, time_zone: str) -> list[ChartRow]:
    """The rows of one track's series, in time order."""
    rows: list[ChartRow] = []
    for point in track.points:
        at = instant(point.at)
        if at is None:
            continue
        rows.append(
            ChartRow(
                day=local_day(at - _MICROSECOND, time_zone),
                at=at,
                actual=actual_of(point, track.indicator),
                target_line=point.target_line,
                good=point.good,
                total=point.total,
                budget_remaining_percent=point.budget_remaining_percent,
                readings=point.readings,
                status=point.status,
            )
        )
    return rows
