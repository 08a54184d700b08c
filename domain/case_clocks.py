"""Case clocks: how long a case has run against an objective's target, and how it is judged.

The rules (docs/semantics.md "Case clocks" states them for users):
- The clock starts when the case is opened. It stops at the objective's stop milestone: the
  first response (or the resolution, when the case was resolved without one), or the
  resolution. Cancelling a case stops its clocks for good.
- While the case is paused for one of the objective's pause reasons the clock stands still; a
  pause for another reason does not stop it. Reopening a resolved case resumes its resolution
  clock (a response clock, once stopped, stays stopped).
- Counted time is the objective's schedule (business hours and holidays, in the agreement's time
  zone) or every instant without one. elapsed(t) is the counted time the clock ran before t.
- The clock's due instant is the first instant at which elapsed has reached the target and the
  next microsecond would count: a stop at or before it meets the target. The clock is breached
  at its due instant if it is still running then, even while the case stays open.
- Only what happened before the evaluation cutoff counts: a case is judged at a cutoff from its
  milestones that occurred before it, so a window is judged with what happened in it.
- Judgement at a cutoff: breached at the due instant when that lies before the cutoff; else met
  at the first stop; else not judged yet. A case that was met and then reopened stays met until
  its resumed clock runs out, and is then breached at that instant (in the period holding it).
  A case cancelled before it was judged is never judged.
- Labels: the labels in force when the clock stopped (or at the cutoff, while it has not) decide
  which objectives' label scope the case falls in. The case is judged at the later of its
  decision and the instant it entered that scope, so a priority raised after the decision is
  judged when it was raised, by the objective of the new priority.
- A case is counted in the window holding the instant it was judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain.business_time import counted_us, instant_passing
from domain.case_milestones import Milestone, MilestoneKind
from domain.compliance import Tally, Track, TrackResult, cutoff_us, track_results
from domain.instants import to_epoch_us
from domain.objectives import CaseClock, ClockStop, Schedule
from domain.terms import Objective

_LABELLED = (MilestoneKind.OPENED, MilestoneKind.RELABELED)


class ClockState(Enum):
    """Where a case's clock stands at an instant."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ClockRun:
    """The spans a clock ran over a timeline, and how the timeline left it."""

    spans: tuple[tuple[int, int | None], ...]  # [start, end) in UTC µs; the last may be open
    stops: tuple[int, ...]  # instants the stop milestone stopped it
    stopped_at_us: int | None  # when it stopped for now (its stop, or a cancellation)
    paused: bool
    cancelled: bool


def run_clock(timeline: Sequence[Milestone], clock: CaseClock) -> ClockRun | None:
    """The clock run over a sorted timeline; None when the case was not opened in it."""
    spans: list[tuple[int, int | None]] = []
    stops: list[int] = []
    running_since: int | None = None
    opened = stopped = paused = cancelled = False
    stopped_at: int | None = None

    def halt(at: int) -> None:
        nonlocal running_since
        if running_since is not None:
            spans.append((running_since, at))
            running_since = None

    for m in timeline:
        kind, at = m.kind, m.occurred_at_us
        if kind is MilestoneKind.OPENED:
            opened, running_since = True, at
        elif not opened or cancelled:
            continue
        elif kind is MilestoneKind.PAUSED:
            if not stopped and m.reason in clock.pause_reasons:
                halt(at)
                paused = True
        elif kind is MilestoneKind.RESUMED:
            if paused and not stopped:
                running_since = at
            paused = False
        elif kind is MilestoneKind.CANCELLED:
            halt(at)
            if not stopped:
                stopped, stopped_at = True, at
            cancelled, paused = True, False
        elif _stops(clock, kind, stopped):
            halt(at)
            stops.append(at)
            stopped, stopped_at, paused = True, at, False
        elif kind is MilestoneKind.RESOLVED:
            paused = False
        elif kind is MilestoneKind.REOPENED and clock.stop is ClockStop.RESOLUTION:
            stopped, stopped_at, running_since = False, None, at
    if not opened:
        return None
    if running_since is not None:
        spans.append((running_since, None))
    return ClockRun(tuple(spans), tuple(stops), stopped_at, paused, cancelled)


def _stops(clock: CaseClock, kind: MilestoneKind, stopped: bool) -> bool:
    if stopped:
        return False
    if clock.stop is ClockStop.RESOLUTION:
        return kind is MilestoneKind.RESOLVED
    return kind in (MilestoneKind.FIRST_RESPONSE, MilestoneKind.RESOLVED)


def elapsed_us(run: ClockRun, schedule: Schedule | None, time_zone: str, before_us: int) -> int:
    """The counted time the clock ran before before_us."""
    total = 0
    for start, end in run.spans:
        if start >= before_us:
            break
        stop = before_us if end is None else min(end, before_us)
        total += counted_us(schedule, start, stop, time_zone)
    return total


def passing_instant(
    run: ClockRun, schedule: Schedule | None, time_zone: str, amount_us: int
) -> int | None:
    """The first instant the running clock passes amount_us of counted time (see
    business_time.instant_passing); None when it never does on this timeline."""
    counted = 0
    for start, end in run.spans:
        left = amount_us - counted
        if end is None:
            return instant_passing(schedule, start, left, time_zone)
        part = counted_us(schedule, start, end, time_zone)
        if part > left:
            return instant_passing(schedule, start, left, time_zone)
        counted += part
    return None


@dataclass(frozen=True)
class Judgement:
    """A case judged by an objective: met or not, at an instant (UTC µs)."""

    judged_at_us: int
    met: bool


def judge(
    timeline: Sequence[Milestone], objective: Objective, time_zone: str, cutoff: int
) -> Judgement | None:
    """How the objective judges a sorted timeline from its milestones before cutoff (UTC µs)."""
    clock = objective.rules.case_clock
    assert clock is not None
    known = _before(timeline, cutoff)
    run = run_clock(known, clock)
    if run is None:
        return None
    due = passing_instant(
        run, objective.rules.schedule, time_zone, clock.target_seconds * 1_000_000
    )
    return judge_run(known, run, due, objective, cutoff)


def judge_run(
    known: Sequence[Milestone],
    run: ClockRun,
    due: int | None,
    objective: Objective,
    cutoff: int,
) -> Judgement | None:
    """judge() for a cutoff whose milestones before it are known, their clock run and its due
    instant already computed."""
    if due is not None and due < cutoff:
        decided, met = due, False
    elif run.stops:
        decided, met = run.stops[0], True
    else:
        return None
    scope = objective.rules.label_scope
    if not scope:
        return Judgement(decided, met)
    label_instant = run.stopped_at_us if run.stopped_at_us is not None else cutoff - 1
    entered = scope_entry(known, scope, label_instant)
    if entered is None:
        return None
    return Judgement(max(decided, entered), met)


def ever_in_scope(timeline: Sequence[Milestone], scope: Mapping[str, str]) -> bool:
    """Whether any label state of the timeline falls in the scope (else no cutoff judges it)."""
    return not scope or any(
        m.kind in _LABELLED and all((m.labels or {}).get(k) == v for k, v in scope.items())
        for m in timeline
    )


def scope_entry(timeline: Sequence[Milestone], scope: Mapping[str, str], at_us: int) -> int | None:
    """When the case last entered the label scope, if its labels at at_us are in it."""
    states = [
        (m.occurred_at_us, m.labels or {})
        for m in timeline
        if m.kind in _LABELLED and m.occurred_at_us <= at_us
    ]
    entered: int | None = None
    for at, labels in reversed(states):
        if any(labels.get(key) != value for key, value in scope.items()):
            break
        entered = at
    return entered


def _before(timeline: Sequence[Milestone], cutoff: int) -> Sequence[Milestone]:
    if not timeline or timeline[-1].occurred_at_us < cutoff:
        return timeline
    return [m for m in timeline if m.occurred_at_us < cutoff]


def evaluate_cases(
    objective: Objective,
    window_start: datetime,
    window_end: datetime,
    timelines: Iterable[Sequence[Milestone]],
    time_zone: str,
    as_of: datetime,
) -> list[TrackResult]:
    """Evaluate a case objective over [window_start, window_end) at as_of from case timelines."""
    cutoff = cutoff_us(window_end, as_of)
    start_us = to_epoch_us(window_start)
    met = judged = 0
    for timeline in timelines:
        judgement = judge(timeline, objective, time_zone, cutoff)
        if judgement is None or judgement.judged_at_us < start_us:
            continue
        met += judgement.met
        judged += 1
    return case_results(objective, window_start, window_end, as_of, met, judged, time_zone)


def case_results(
    objective: Objective,
    window_start: datetime,
    window_end: datetime,
    as_of: datetime,
    met: int,
    judged: int,
    time_zone: str,
) -> list[TrackResult]:
    """The result of a case objective whose window judged `judged` cases, `met` of them met:
    met cases count good and breached ones bad, as a ratio or against a count limit."""
    tally = Tally(good=Decimal(met), total=Decimal(judged), readings=judged)
    tallies = {Track.SCHEDULED: tally, Track.OFF_SCHEDULE: Tally()}
    return track_results(objective, tallies, window_start, window_end, as_of, 0, time_zone)
