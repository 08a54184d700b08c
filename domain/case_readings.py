"""What a case's clock reads at an instant, and its judgement as a function of the cutoff.

read_clock answers GetCase and the at-risk and breach warnings. judgement_spans lays out, for
one timeline, every judgement case_clocks.judge gives as the cutoff moves forward, so a read
model can store a few rows per case and count a window's cases without replaying them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.case_clocks import (
    ClockRun,
    ClockState,
    Judgement,
    elapsed_us,
    ever_in_scope,
    judge,
    judge_run,
    passing_instant,
    run_clock,
    scope_entry,
)
from domain.case_milestones import Milestone
from domain.terms import Objective


@dataclass(frozen=True)
class ClockReading:
    """A case's clock for one objective at an instant (UTC µs)."""

    objective_id: str
    read_at_us: int
    state: ClockState
    in_scope: bool  # whether the objective's label scope holds the case
    target_us: int
    elapsed_us: int
    due_at_us: int | None  # where a stop would still meet the target; None: never reached
    at_risk_at_us: int | None  # where elapsed passes the at-risk share of the target
    breached_at_us: int | None
    stopped_at_us: int | None
    judgement: Judgement | None

    @property
    def remaining_us(self) -> int:
        """Target minus elapsed: negative once the target is overrun."""
        return self.target_us - self.elapsed_us

    @property
    def at_risk(self) -> bool:
        """Running or paused, not breached, and past the at-risk share of its target."""
        return (
            self.state in (ClockState.RUNNING, ClockState.PAUSED)
            and self.at_risk_at_us is not None
            and self.at_risk_at_us <= self.read_at_us
        )


def read_clock(
    timeline: Sequence[Milestone],
    objective: Objective,
    time_zone: str,
    at_us: int,
    at_risk_percent: int,
) -> ClockReading | None:
    """The objective's clock on a sorted timeline at at_us (what occurred up to and at it);
    None when the case was not opened by then."""
    clock = objective.rules.case_clock
    assert clock is not None
    cutoff = at_us + 1
    known = [m for m in timeline if m.occurred_at_us < cutoff]
    run = run_clock(known, clock)
    if run is None:
        return None
    schedule = objective.rules.schedule
    target = clock.target_seconds * 1_000_000
    due = passing_instant(run, schedule, time_zone, target)
    at_risk_at = passing_instant(run, schedule, time_zone, target * at_risk_percent // 100)
    breached = due is not None and due < cutoff
    if breached:
        state = ClockState.BREACHED
    elif run.cancelled:
        state = ClockState.CANCELLED
    elif run.stopped_at_us is not None:
        state = ClockState.MET
    elif run.paused:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    scope = objective.rules.label_scope
    label_instant = run.stopped_at_us if run.stopped_at_us is not None else at_us
    in_scope = not scope or scope_entry(known, scope, label_instant) is not None
    return ClockReading(
        objective_id=objective.objective_id,
        read_at_us=at_us,
        state=state,
        in_scope=in_scope,
        target_us=target,
        elapsed_us=elapsed_us(run, schedule, time_zone, at_us),
        due_at_us=due,
        at_risk_at_us=at_risk_at,
        breached_at_us=due if breached else None,
        stopped_at_us=run.stopped_at_us,
        judgement=judge(timeline, objective, time_zone, cutoff),
    )


@dataclass(frozen=True)
class JudgementSpan:
    """One judgement of a case, holding for every cutoff c with
    valid_after_us < c <= valid_until_us (None: every later cutoff)."""

    judged_at_us: int
    met: bool
    valid_after_us: int
    valid_until_us: int | None

    def holds_at(self, cutoff: int) -> bool:
        """Whether this is the case's judgement at cutoff."""
        return self.valid_after_us < cutoff and (
            self.valid_until_us is None or cutoff <= self.valid_until_us
        )


def judgement_spans(
    timeline: Sequence[Milestone], objective: Objective, time_zone: str
) -> list[JudgementSpan]:
    """Every judgement judge() gives the timeline, with the cutoffs it holds for.

    judge() depends on the milestones before the cutoff and on whether a due instant lies
    before it, so it is constant between consecutive milestone and due instants: evaluated once
    just after each, it gives the whole function.
    """
    clock = objective.rules.case_clock
    assert clock is not None
    if not ever_in_scope(timeline, objective.rules.label_scope):
        return []
    target = clock.target_seconds * 1_000_000
    # The milestones known, their clock run and its due instant after each distinct instant.
    prefixes: list[tuple[int, Sequence[Milestone], ClockRun | None, int | None]] = []
    for index, m in enumerate(timeline):
        if index + 1 < len(timeline) and timeline[index + 1].occurred_at_us == m.occurred_at_us:
            continue
        known = timeline[: index + 1]
        run = run_clock(known, clock)
        due = (
            None
            if run is None
            else passing_instant(run, objective.rules.schedule, time_zone, target)
        )
        prefixes.append((m.occurred_at_us, known, run, due))
    candidates = sorted(
        {instant for instant, *_ in prefixes} | {due for *_, due in prefixes if due is not None}
    )
    spans: list[JudgementSpan] = []
    prefix = -1
    for index, instant in enumerate(candidates):
        while prefix + 1 < len(prefixes) and prefixes[prefix + 1][0] <= instant:
            prefix += 1
        if prefix < 0:
            continue
        _, known, run, due = prefixes[prefix]
        judgement = None if run is None else judge_run(known, run, due, objective, instant + 1)
        if judgement is None:
            continue
        until = candidates[index + 1] if index + 1 < len(candidates) else None
        last = spans[-1] if spans else None
        if (
            last is not None
            and last.valid_until_us == instant
            and (last.judged_at_us, last.met) == (judgement.judged_at_us, judgement.met)
        ):
            spans[-1] = replace(last, valid_until_us=until)
        else:
            spans.append(JudgementSpan(judgement.judged_at_us, judgement.met, instant, until))
    return spans
