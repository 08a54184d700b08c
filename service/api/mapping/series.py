"""GetComplianceSeries's reply from a domain compliance series."""

from __future__ import annotations

from decimal import Decimal

from domain.compliance import TrackResult
from domain.compliance_series import ComplianceSeries, SeriesPoint
from domain.display import shown
from domain.objectives import Indicator
from service.api.mapping.results import STATUS_TO_PROTO
from service.api.mapping.rules import INDICATOR_TO_PROTO
from service.api.series_inputs import STEP_TO_PROTO
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb


def _shown(value: Decimal | None) -> str:
    return "" if value is None else str(shown(value))


def _point(point: SeriesPoint, track: TrackResult, out: series_pb.CompliancePoint) -> None:
    cumulative = track.indicator is Indicator.CUMULATIVE
    line = track.target_line if cumulative else track.target
    out.at.FromDatetime(point.at)
    out.good = _shown(track.good)
    out.total = _shown(line if cumulative else track.total)
    out.attained = _shown(track.attained)
    out.budget_remaining_percent = _shown(track.budget_remaining_percent)
    out.target_line = _shown(line)
    out.readings = track.readings
    out.status = STATUS_TO_PROTO[track.status]


def series_to_proto(
    series: ComplianceSeries, position: int
) -> series_pb.GetComplianceSeriesResponse:
    """The reply of a series read at log position position."""
    out = series_pb.GetComplianceSeriesResponse(
        agreement_id=series.agreement_id,
        objective_id=series.objective_id,
        period_label=series.period_label,
        terms_version=series.terms_version,
        step=STEP_TO_PROTO[series.step],
        log_position=position,
    )
    if series.window_start is not None and series.window_end is not None:
        out.window_start.FromDatetime(series.window_start)
        out.window_end.FromDatetime(series.window_end)
    for results in series.tracks:
        first = results[0]
        track = out.tracks.add(
            track=first.track.value,
            indicator=INDICATOR_TO_PROTO[first.indicator],
            target=str(first.target),
        )
        for point, result in zip(series.points, results, strict=True):
            _point(point, result, track.points.add())
    return out
