"""Evaluation of one objective over one window: attainment, error budget and status.

The rules, stated once (README "SLA semantics" quotes them):
- Only readings of the objective, observed in the window and before the evaluation instant,
  carrying every label of the objective's label scope, count.
- A reading observed inside an exclusion that applies to the objective counts neither good nor
  bad (removed from numerator and denominator); it is reported as excluded.
- With a schedule, readings inside business hours are judged against the target; readings outside
  are judged against the off-schedule target when there is one (a second track), and are not
  counted otherwise.
- RATIO: attainment = 100 x sum(good) / sum(total).
- TIME_SLICES: readings are grouped into slices of slice_seconds (aligned to the Unix epoch);
  a slice is good when its good/total reaches slice_good_percent; attainment = 100 x good
  slices / observed slices. Slices without readings, or whose readings saw no events (0 of 0),
  are not observed: they count neither way.
- THRESHOLD: each sample is good when `sample <comparison> threshold`; attainment = 100 x good
  samples / samples.
- COUNT_LIMIT: bad events = sum(total - good); met while bad events <= limit.
- CUMULATIVE: achieved = sum(good) (or sum of samples); met when achieved >= cumulative_target.
  The target line is cumulative_target x d/n at the end of local day d of the window's n local
  days, linear in between (domain/target_line.py).
- Error budget (ratio kinds): allowed bad = total x (100 - target) / 100; remaining = 100 - 100 x
  bad / allowed (negative when overspent; undefined when nothing was allowed and something bad
  happened). COUNT_LIMIT: remaining = 100 x (limit - bad) / limit.
- Status of a final window (evaluated at or after its end): NO_DATA without counted readings
  (for percentage kinds: without a single event, slice or sample counted),
  else MET or BREACHED. Of an open window: NO_DATA; BREACHED only when it can no longer be met
  (a count limit already exceeded); AT_RISK when below target, below the cumulative target line,
  or with 80% or more of the error budget used; MET (on track) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from enum import Enum

from domain.exclusions import ExcludedSpans, Exclusion
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import Indicator
from domain.periods import schedule_contains
from domain.target_line import target_line as cumulative_target_line
from domain.terms import Objective

AT_RISK_BUDGET_USED_PERCENT = Decimal(80)
PRECISION = 50
EXACT_SUM_PRECISION = 800  # floats span about 10**-324 to 10**308, with 17 significant digits
HUNDRED = Decimal(100)
REPORTED = Decimal("0.000001")  # percentages are reported to 6 decimal places


class Status(Enum):
    """How an objective stands in a window."""

    MET = "met"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    NO_DATA = "no_data"


class Track(Enum):
    """Which target a share of the readings is judged against."""

    SCHEDULED = "scheduled"
    OFF_SCHEDULE = "off_schedule"


RATIO_KINDS = (Indicator.RATIO, Indicator.TIME_SLICES, Indicator.THRESHOLD)


@dataclass(frozen=True)
class TrackResult:
    """The figures of one track of one objective over one window."""

    objective_id: str
    track: Track
    indicator: Indicator
    window_start: datetime
    window_end: datetime
    evaluated_at: datetime
    final: bool
    target: Decimal
    attained: Decimal | None
    good: Decimal
    total: Decimal
    bad: Decimal
    readings: int
    excluded: int
    budget_remaining_percent: Decimal | None
    target_line: Decimal | None
    status: Status

    @property
    def breached(self) -> bool:
        """Whether this track missed its target."""
        return self.status is Status.BREACHED

    @property
    def attainment_percent(self) -> Decimal | None:
        """Attainment as a percentage for credit rules, from the exact counts; None without data."""
        if self.attained is None:
            return None
        if self.indicator in RATIO_KINDS:
            return _divide(self.good * HUNDRED, self.total)
        if self.indicator is Indicator.CUMULATIVE:
            return _divide(self.attained * HUNDRED, self.target) if self.target else HUNDRED
        return HUNDRED if self.status is not Status.BREACHED else Decimal(0)


@dataclass
class Tally:
    """What one track of one window has counted so far."""

    good: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    readings: int = 0
    slices: dict[int, list[int]] | None = None


def new_tallies() -> dict[Track, Tally]:
    """An empty tally per track."""
    return {Track.SCHEDULED: Tally(), Track.OFF_SCHEDULE: Tally()}


def evaluate(
    objective: Objective,
    window_start: datetime,
    window_end: datetime,
    readings: Iterable[Measurement],
    exclusions: Sequence[Exclusion],
    time_zone: str,
    as_of: datetime,
) -> list[TrackResult]:
    """Evaluate an objective over [window_start, window_end) at as_of; one result per track."""
    tallies = new_tallies()
    excluded = tally_readings(
        objective,
        readings,
        to_epoch_us(window_start),
        cutoff_us(window_end, as_of),
        ExcludedSpans(exclusions, objective.objective_id),
        time_zone,
        tallies,
    )
    return track_results(objective, tallies, window_start, window_end, as_of, excluded, time_zone)


def cutoff_us(window_end: datetime, as_of: datetime) -> int:
    """The end (exclusive, epoch µs) of what counts at as_of: readings up to and at as_of."""
    end_us = to_epoch_us(window_end)
    return min(end_us, to_epoch_us(as_of) + 1) if as_of < window_end else end_us


def tally_readings(
    objective: Objective,
    readings: Iterable[Measurement],
    start_us: int,
    end_us: int,
    excluded: ExcludedSpans,
    time_zone: str,
    tallies: dict[Track, Tally],
) -> int:
    """Count the readings observed in [start_us, end_us) into tallies; how many were excluded."""
    rules = objective.rules
    scope = rules.label_scope
    excluded_count = 0
    for reading in readings:
        at = reading.observed_at_us
        if reading.objective_id != objective.objective_id or not start_us <= at < end_us:
            continue
        if scope and any((reading.labels or {}).get(k) != v for k, v in scope.items()):
            continue
        if excluded.contains(at):
            excluded_count += 1
            continue
        track = Track.SCHEDULED
        if rules.schedule is not None and not schedule_contains(
            rules.schedule, reading.observed_at, time_zone
        ):
            if rules.off_schedule_target_percent is None:
                continue
            track = Track.OFF_SCHEDULE
        _add(tallies[track], objective, reading)
    return excluded_count


def track_results(
    objective: Objective,
    tallies: dict[Track, Tally],
    window_start: datetime,
    window_end: datetime,
    as_of: datetime,
    excluded: int,
    time_zone: str,
) -> list[TrackResult]:
    """One result per track of the objective from its tallies (time_zone: the agreement's,
    whose local days the cumulative target line follows)."""
    rules = objective.rules
    tracks = [Track.SCHEDULED]
    tz = time_zone
    if rules.schedule is not None and rules.off_schedule_target_percent is not None:
        tracks.append(Track.OFF_SCHEDULE)
    return [
        _result(objective, track, tallies[track], window_start, window_end, as_of, excluded, tz)
        for track in tracks
    ]


def _add(tally: Tally, objective: Objective, reading: Measurement) -> None:
    rules = objective.rules
    kind = rules.indicator
    if kind is Indicator.THRESHOLD:
        if reading.sample is None or rules.threshold is None:
            return
        sample = Decimal(repr(reading.sample))
        tally.good += 1 if rules.threshold.comparison.holds(sample, rules.threshold.value) else 0
        tally.total += 1
    elif kind is Indicator.CUMULATIVE:
        # Wide enough for any sum of finite floats to be exact, so arrival order never matters.
        with localcontext() as context:
            context.prec = EXACT_SUM_PRECISION
            if reading.sample is not None:
                tally.good += Decimal(repr(reading.sample))
            elif reading.good is not None:
                tally.good += reading.good
            else:
                return
    else:
        if reading.good is None or reading.total is None:
            return
        if kind is Indicator.TIME_SLICES:
            if tally.slices is None:
                tally.slices = {}
            slice_index = reading.observed_at_us // (rules.slice_seconds * 1_000_000)
            counts = tally.slices.setdefault(slice_index, [0, 0])
            counts[0] += reading.good
            counts[1] += reading.total
        else:
            tally.good += reading.good
            tally.total += reading.total
    tally.readings += 1


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = PRECISION
        return numerator / denominator


def _reported(value: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = PRECISION
        return value.quantize(REPORTED)


def _result(
    objective: Objective,
    track: Track,
    tally: Tally,
    window_start: datetime,
    window_end: datetime,
    as_of: datetime,
    excluded: int,
    time_zone: str,
) -> TrackResult:
    rules = objective.rules
    kind = rules.indicator
    final = as_of >= window_end
    good, total = tally.good, tally.total
    if kind is Indicator.TIME_SLICES and tally.slices:
        # A slice whose readings saw no events at all (0 of 0) was idle, not down: not observed.
        observed = [(g, t) for g, t in tally.slices.values() if t > 0]
        good_slices = sum(1 for g, t in observed if g * HUNDRED >= rules.slice_good_percent * t)
        good, total = Decimal(good_slices), Decimal(len(observed))
    bad = total - good
    attained: Decimal | None = None
    budget: Decimal | None = None
    target_line: Decimal | None = None
    if kind in RATIO_KINDS:
        target = (
            rules.off_schedule_target_percent
            if track is Track.OFF_SCHEDULE and rules.off_schedule_target_percent is not None
            else objective.target_percent
        )
        if total > 0:
            attained = _reported(_divide(good * HUNDRED, total))
            allowed = total * (HUNDRED - target)
            if allowed > 0:
                budget = _reported(HUNDRED - _divide(bad * HUNDRED * HUNDRED, allowed))
            elif bad == 0:
                budget = HUNDRED
        # Judged on the exact fraction, never on the rounded figure.
        missed = total > 0 and good * HUNDRED < target * total
        at_risk = missed or (budget is not None and HUNDRED - budget >= AT_RISK_BUDGET_USED_PERCENT)
        # Readings that counted no events at all (0 of 0) are no data, not success.
        status = (
            Status.NO_DATA
            if total == 0
            else _status(tally, final, missed, at_risk, irrecoverable=False)
        )
    elif kind is Indicator.COUNT_LIMIT:
        limit = Decimal(rules.limit or 0)
        target = limit
        if tally.readings:
            attained = bad
            budget = _reported(_divide((limit - bad) * HUNDRED, limit)) if limit > 0 else None
            if limit == 0 and bad == 0:
                budget = HUNDRED
        missed = bad > limit
        at_risk = missed or (budget is not None and HUNDRED - budget >= AT_RISK_BUDGET_USED_PERCENT)
        status = _status(tally, final, missed, at_risk, irrecoverable=missed)
    else:
        target = rules.cumulative_target or Decimal(0)
        achieved = tally.good
        if tally.readings:
            attained = achieved
        target_line = cumulative_target_line(target, window_start, window_end, as_of, time_zone)
        missed = achieved < target
        at_risk = achieved < target_line
        status = _status(tally, final, missed, at_risk and not achieved >= target, False)
        good, total, bad = achieved, target, max(Decimal(0), target - achieved)
    return TrackResult(
        objective_id=objective.objective_id,
        track=track,
        indicator=kind,
        window_start=window_start,
        window_end=window_end,
        evaluated_at=min(as_of, window_end),
        final=final,
        target=target,
        attained=attained,
        good=good,
        total=total,
        bad=bad,
        readings=tally.readings,
        excluded=excluded,
        budget_remaining_percent=budget,
        target_line=target_line,
        status=status,
    )


def _status(tally: Tally, final: bool, missed: bool, at_risk: bool, irrecoverable: bool) -> Status:
    if tally.readings == 0:
        return Status.NO_DATA
    if final:
        return Status.BREACHED if missed else Status.MET
    if irrecoverable:
        return Status.BREACHED
    return Status.AT_RISK if at_risk else Status.MET
