"""A compliance series: one objective's standing through one period, point by point.

The points are the ends of the window's local days (or of its hours, for a window of at most
seven days), from the window's start up to as_of: the last point may end after as_of and then
stands at as_of. Each point's figures are the window's evaluation at the instant it stands at,
which is GetCompliance's answer at that instant for every point inside the window (at the
window's end GetCompliance answers for the next period; the point gives this period's final
figures, those its closing judges).

series_from_history is the oracle: one evaluation per point. cumulative_tracks gives the same
points in one pass over what the window counts, a segment between two points at a time;
series_by_segments does so from a folded history. A window has at most 92 local days (a
quarter) and 169 hours (seven days, one of them 25 hours long).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import localcontext
from enum import Enum

from domain.agreement_history import AgreementHistory
from domain.compliance import (
    EXACT_SUM_PRECISION,
    Tally,
    Track,
    TrackResult,
    new_tallies,
    tally_readings,
    track_results,
)
from domain.errors import FieldViolation, InvalidArgumentError, NotFoundError
from domain.exclusions import ExcludedSpans
from domain.instants import to_epoch_us
from domain.period_walk import PeriodWindow, period_at
from domain.periods import period_containing
from domain.resource_names import objective_name
from domain.target_line import local_days
from domain.terms import Objective
from domain.window_evaluation import evaluate_window

MAX_HOUR_WINDOW = timedelta(days=7)
_HOUR = timedelta(hours=1)


class Step(Enum):
    """The spacing of a series' points."""

    DAY = "day"
    HOUR = "hour"


@dataclass(frozen=True)
class SeriesPoint:
    """The end of one step (exclusive) and the instant its figures stand at (at most as_of)."""

    at: datetime
    stands_at: datetime


@dataclass(frozen=True)
class ComplianceSeries:
    """One objective's points through one period; tracks[i][k] is track i at points[k]."""

    agreement_id: str
    objective_id: str
    period_label: str
    terms_version: int
    window_start: datetime | None
    window_end: datetime | None
    step: Step
    points: tuple[SeriesPoint, ...]
    tracks: tuple[tuple[TrackResult, ...], ...]


def step_for(requested: Step | None, window: PeriodWindow) -> Step:
    """The step asked for, or (None) hours for a window of at most seven days and days
    otherwise; hours for a longer window are refused."""
    short = window.window_end - window.window_start <= MAX_HOUR_WINDOW
    if requested is None:
        return Step.HOUR if short else Step.DAY
    if requested is Step.HOUR and not short:
        raise InvalidArgumentError(
            [FieldViolation("step", "hours only for a period of at most 7 days; ask for days")]
        )
    return requested


def step_ends(window: PeriodWindow, step: Step) -> list[datetime]:
    """The ends of the window's steps, in order: its local days' ends or its hours' ends counted
    from its start (the last one is the window's end either way)."""
    start, end = window.window_start, window.window_end
    if step is Step.DAY:
        days = local_days(start, end, window.terms.terms.time_zone)
        return [day.end for day in days]
    ends = []
    at = start + _HOUR
    while at < end:
        ends.append(at)
        at += _HOUR
    return [*ends, end]


def series_points(window: PeriodWindow, step: Step, as_of: datetime) -> list[SeriesPoint]:
    """The points of the window up to as_of: every step end up to the first at or after as_of,
    each standing at its end, or at as_of when it ends after it; none before the window."""
    if as_of < window.window_start:
        return []
    points = []
    for end in step_ends(window, step):
        points.append(SeriesPoint(end, min(end, as_of)))
        if end >= as_of:
            break
    return points


def series_window(
    history: AgreementHistory, objective_id: str, period_instant: datetime
) -> tuple[str, int, PeriodWindow | None]:
    """The label, terms version and window of the objective's period holding period_instant
    (the window None when no window holds it, before the term start)."""
    agreement = history.agreement
    if agreement.standing_at(period_instant).terms.terms.objective(objective_id) is None:
        raise NotFoundError(
            f"agreement has no objective {objective_id!r} at {period_instant.isoformat()}",
            resource_type="objective",
            resource_name=objective_name(agreement.agreement_id, objective_id),
        )
    window = period_at(agreement, objective_id, period_instant)
    if window is not None:
        return window.period.label, window.terms.number, window
    in_force = agreement.terms_in_force(period_instant)
    objective = in_force.terms.objective(objective_id)
    assert objective is not None
    label = period_containing(period_instant, objective.period, in_force.terms.time_zone).label
    return label, in_force.number, None


def build_series(
    history: AgreementHistory,
    objective_id: str,
    period_instant: datetime,
    as_of: datetime,
    step: Step | None,
    tracks_at: Callable[[PeriodWindow, list[SeriesPoint]], list[list[TrackResult]]],
) -> ComplianceSeries:
    """The series of the objective's period holding period_instant up to as_of, each point's
    tracks from tracks_at (one list of tracks per point)."""
    label, version, window = series_window(history, objective_id, period_instant)
    agreement_id = history.agreement.agreement_id
    if window is None:
        return ComplianceSeries(
            agreement_id, objective_id, label, version, None, None, step or Step.DAY, (), ()
        )
    chosen = step_for(step, window)
    points = series_points(window, chosen, as_of)
    per_point = tracks_at(window, points) if points else []
    tracks = tuple(zip(*per_point, strict=True)) if per_point else ()
    return ComplianceSeries(
        agreement_id,
        objective_id,
        label,
        version,
        window.window_start,
        window.window_end,
        chosen,
        tuple(points),
        tracks,
    )


def series_from_history(
    history: AgreementHistory,
    objective_id: str,
    period_instant: datetime,
    as_of: datetime,
    step: Step | None,
) -> ComplianceSeries:
    """The oracle's series: the window evaluated from history once per point."""

    def each_point(window: PeriodWindow, points: list[SeriesPoint]) -> list[list[TrackResult]]:
        return [evaluate_window(history, window, p.stands_at) for p in points]

    return build_series(history, objective_id, period_instant, as_of, step, each_point)


SegmentTally = Callable[[int, int, dict[Track, Tally]], int]


def segment_bounds(window: PeriodWindow, points: Sequence[SeriesPoint]) -> list[tuple[int, int]]:
    """The [start, end) µs cumulative_tracks counts: between consecutive points' instants, and
    each instant inside the window on its own (a point counts the readings at its instant, the
    next one's segment starts there); empty ones left out."""
    bounds = []
    start, window_end = to_epoch_us(window.window_start), to_epoch_us(window.window_end)
    for point in points:
        at = min(to_epoch_us(point.stands_at), window_end)
        if at > start:
            bounds.append((start, at))
            start = at
        if at < window_end:
            bounds.append((at, at + 1))
    return bounds


def cumulative_tracks(
    objective: Objective,
    window: PeriodWindow,
    points: Sequence[SeriesPoint],
    tally_segment: SegmentTally,
) -> list[list[TrackResult]]:
    """The tracks at each point, counting once what lies between two points' instants, and the
    readings at each point's instant beside: tally_segment (start µs, end µs, tallies) adds what
    counts in [start, end) (one of segment_bounds) and gives how many readings it excluded."""
    tallies = new_tallies()
    excluded = 0
    start, window_end = to_epoch_us(window.window_start), to_epoch_us(window.window_end)
    results = []
    for point in points:
        at = min(to_epoch_us(point.stands_at), window_end)
        if at > start:
            excluded += tally_segment(start, at, tallies)
            start = at
        counted, at_instant = tallies, 0
        if at < window_end:  # readings up to and at the instant count (cutoff_us)
            extra = new_tallies()
            at_instant = tally_segment(at, at + 1, extra)
            counted = {track: _merged(tallies[track], extra[track]) for track in tallies}
        results.append(
            track_results(
                objective,
                counted,
                window.window_start,
                window.window_end,
                point.stands_at,
                excluded + at_instant,
                window.terms.terms.time_zone,
            )
        )
    return results


def _merged(tally: Tally, extra: Tally) -> Tally:
    """tally with extra's counts added, tally left as it is (extra is usually empty)."""
    if not extra.readings and not extra.slices:
        return tally
    slices = tally.slices
    if extra.slices:
        slices = dict(tally.slices or {})
        for index, (good, total) in extra.slices.items():
            before = slices.get(index, [0, 0])
            slices[index] = [before[0] + good, before[1] + total]
    with localcontext() as context:
        context.prec = EXACT_SUM_PRECISION  # cumulative sums stay exact, as _add keeps them
        return Tally(
            tally.good + extra.good,
            tally.total + extra.total,
            tally.readings + extra.readings,
            slices,
        )


def series_by_segments(
    history: AgreementHistory,
    objective_id: str,
    period_instant: datetime,
    as_of: datetime,
    step: Step | None,
) -> ComplianceSeries:
    """The oracle's series in one pass over the window's readings (case objectives: one
    evaluation per point)."""

    def in_one_pass(window: PeriodWindow, points: list[SeriesPoint]) -> list[list[TrackResult]]:
        objective = window.objective
        if objective.rules.case_clock is not None:
            return [evaluate_window(history, window, p.stands_at) for p in points]
        readings = sorted(
            history.readings.get(objective.objective_id, ()), key=lambda r: r.observed_at_us
        )
        times = [r.observed_at_us for r in readings]
        excluded = ExcludedSpans(history.exclusions, objective.objective_id)
        zone = window.terms.terms.time_zone

        def tally(start: int, end: int, tallies: dict[Track, Tally]) -> int:
            first, last = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
            return tally_readings(
                objective, readings[first:last], start, end, excluded, zone, tallies
            )

        return cumulative_tracks(objective, window, points, tally)

    return build_series(history, objective_id, period_instant, as_of, step, in_one_pass)
