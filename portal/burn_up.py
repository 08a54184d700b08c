"""The burn-up chart's rows: one per step of a series, the actual against the target line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from portal.formatting import enum_name, instant
from portal.period_labels import local_day
from reports.charts import attainment_svg, burn_up_svg
from reports.statement import BurnUp, BurnUpPoint, PeriodAttainment
from service.generated.sla.ledger.v1 import compliance_series_pb2, period_history_pb2, terms_pb2

_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CACHED_CHARTS = 256


@dataclass(frozen=True)
class ChartRow:
    """One point of a track's series as the chart's data table shows it."""

    day: date  # the local day whose end (or as_of, for the last) the point stands at
    at: datetime  # the end of the step
    stands_at: datetime  # the instant the figures stand at: the step's end, or as_of before it
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


def chart_rows(
    track: compliance_series_pb2.TrackSeries, time_zone: str, as_of: datetime
) -> list[ChartRow]:
    """The rows of one track's series read at as_of, in time order."""
    rows: list[ChartRow] = []
    for point in track.points:
        at = instant(point.at)
        if at is None:
            continue
        rows.append(
            ChartRow(
                day=local_day(at - _MICROSECOND, time_zone),
                at=at,
                stands_at=min(at, as_of),
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


def unit_of(indicator: int) -> str:
    """What a track's actual and target count."""
    if indicator == terms_pb2.INDICATOR_CUMULATIVE:
        return "total"
    return "bad events" if indicator == terms_pb2.INDICATOR_COUNT_LIMIT else "%"


def burn_up_of(
    series: compliance_series_pb2.GetComplianceSeriesResponse,
    track: compliance_series_pb2.TrackSeries,
    rows: list[ChartRow],
) -> BurnUp:
    """The chart's data (reports.statement.BurnUp) of one track's rows."""
    return BurnUp(
        objective_id=series.objective_id,
        period_label=series.period_label,
        track=track.track,
        indicator=terms_pb2.Indicator.Name(track.indicator).removeprefix("INDICATOR_").lower(),
        unit=unit_of(track.indicator),
        points=tuple(
            BurnUpPoint(
                day=row.day,
                at=row.at,
                actual=decimal_or_none(row.actual),
                target=decimal_or_none(row.target_line),
            )
            for row in rows
        ),
    )


def burn_up_chart(
    series: compliance_series_pb2.GetComplianceSeriesResponse,
    track: compliance_series_pb2.TrackSeries,
    rows: list[ChartRow],
    number: int,
) -> str:
    """The inline SVG of one track's burn-up chart (its ids prefixed per track)."""
    return _drawn_burn_up(burn_up_of(series, track, rows), f"burn-up-{number}")


def attainment_chart(results: list[period_history_pb2.PeriodResult], objective_id: str) -> str:
    """The inline SVG of an objective's attainment per closed period, oldest first."""
    history = tuple(
        PeriodAttainment(
            period_label=result.period_label,
            window_start=instant(result.window_start) or EPOCH,
            track=track.track,
            status=enum_name(track.status, "status").lower(),
            attained=decimal_or_none(track.attained),
            target=decimal_or_none(track.target),
        )
        for result in sorted(results, key=lambda r: r.window_start.ToDatetime())
        if result.objective_id == objective_id
        for track in result.tracks
    )
    return _drawn_attainment(history, objective_id)


# Drawing a chart takes matplotlib a few hundred milliseconds, and the same figures give the
# same (deterministic) SVG: keep the latest drawings, keyed by the figures themselves. Closed
# periods' attainment rarely changes, so the agreement page seldom draws.
@lru_cache(maxsize=CACHED_CHARTS)
def _drawn_burn_up(burn_up: BurnUp, chart_id: str) -> str:
    return burn_up_svg(burn_up, chart_id=chart_id)


@lru_cache(maxsize=CACHED_CHARTS)
def _drawn_attainment(history: tuple[PeriodAttainment, ...], objective_id: str) -> str:
    return attainment_svg(history, objective_id, chart_id=f"attainment-{objective_id}")
