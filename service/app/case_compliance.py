"""Windows of case objectives evaluated from the case_judgements read model, corrected exactly
for the log beyond it.

The read model answers up to its position p (read in one snapshot). The cases with milestones
after p (up to the head the report reflects) are replayed from their streams and their rows
are left out of the counts. A definition the read model has not reached yet (terms signed or
amended after p) is evaluated by replaying every case of the agreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from eventsourcing.utils import get_topic

from domain.case_clocks import case_results, evaluate_cases, judge
from domain.case_milestones import CaseMilestoneRecorded, Milestone
from domain.case_timeline import sorted_timeline
from domain.compliance import TrackResult, cutoff_us
from domain.identifiers import case_stream
from domain.instants import to_epoch_us
from domain.known_at import recorded_by
from domain.period_walk import PeriodWindow
from projections.case_counts import CaseCount, CaseJudgementSnapshot
from service.app.event_log import PAGE, EventLog

_MILESTONE_TOPIC = get_topic(CaseMilestoneRecorded)


def case_window_results(
    log: EventLog,
    cases: CaseJudgementSnapshot,
    agreement_id: str,
    windows: Sequence[PeriodWindow],
    as_of: datetime,
    known_at: datetime,
    head: int,
) -> dict[str, list[TrackResult]]:
    """The tracks of each case objective's window at as_of as known at known_at, by objective."""
    if not windows:
        return {}
    touched = _cases_after(log, agreement_id, cases.position, head)
    replayed = _timelines(log, agreement_id, touched, head, known_at)
    known_us = to_epoch_us(known_at)
    results: dict[str, list[TrackResult]] = {}
    every_case: list[list[Milestone]] | None = None
    for window in windows:
        objective = window.objective
        oid = objective.objective_id
        time_zone = window.terms.terms.time_zone
        def_version = cases.def_version(agreement_id, oid, window.terms.number)
        if def_version is None:
            if every_case is None:
                every_case = _every_timeline(log, agreement_id, head, known_at)
            results[oid] = evaluate_cases(
                objective, window.window_start, window.window_end, every_case, time_zone, as_of
            )
            continue
        start = to_epoch_us(window.window_start)
        cutoff = cutoff_us(window.window_end, as_of)
        count = cases.count(agreement_id, oid, def_version, start, cutoff, known_us)
        if touched:
            count -= cases.count_cases(
                agreement_id, oid, def_version, touched, start, cutoff, known_us
            )
            count += _judged(replayed, window, cutoff, start)
        results[oid] = case_results(
            objective,
            window.window_start,
            window.window_end,
            as_of,
            count.met,
            count.judged,
            time_zone,
        )
    return results


def _judged(
    timelines: Iterable[list[Milestone]], window: PeriodWindow, cutoff: int, start: int
) -> CaseCount:
    met = judged = 0
    for timeline in timelines:
        judgement = judge(timeline, window.objective, window.terms.terms.time_zone, cutoff)
        if judgement is None or judgement.judged_at_us < start:
            continue
        met += judgement.met
        judged += 1
    return CaseCount(met, judged)


def _agreement_events_after(
    log: EventLog, agreement_id: str, after: int, head: int
) -> Iterable[tuple[int, Any]]:
    while after < head:
        page = log.list_events(agreement_id, after, PAGE)
        for logged in page:
            if logged.position > head:
                return
            yield logged.position, logged.event
        if len(page) < PAGE:
            return
        after = page[-1].position


def _cases_after(log: EventLog, agreement_id: str, after: int, head: int) -> set[str]:
    """The agreement's cases with milestones at positions in (after, head], read along the
    log's positions (the tail is short) rather than along the agreement's streams."""
    prefix = case_stream(agreement_id, "")
    found: set[str] = set()
    while after < head:
        page = log.notifications(after + 1, PAGE, (_MILESTONE_TOPIC,))
        for n in page:
            if n.id <= head and str(n.originator_id).startswith(prefix):
                found.add(cast(CaseMilestoneRecorded, log.decode(n)).case_id)
        if len(page) < PAGE:
            break
        after = page[-1].id
    return found


def _timelines(
    log: EventLog, agreement_id: str, case_ids: set[str], head: int, known_at: datetime
) -> list[list[Milestone]]:
    if not case_ids:
        return []
    streams = {case_stream(agreement_id, case_id) for case_id in case_ids}
    by_case: dict[str, list[Milestone]] = {}
    for _, event in log.stream_events(streams, head):
        if isinstance(event, CaseMilestoneRecorded) and recorded_by(event, known_at):
            by_case.setdefault(event.case_id, []).append(event.milestone())
    return [sorted_timeline(milestones) for milestones in by_case.values()]


def _every_timeline(
    log: EventLog, agreement_id: str, head: int, known_at: datetime
) -> list[list[Milestone]]:
    by_case: dict[str, list[Milestone]] = {}
    for _, event in _agreement_events_after(log, agreement_id, 0, head):
        if isinstance(event, CaseMilestoneRecorded) and recorded_by(event, known_at):
            by_case.setdefault(event.case_id, []).append(event.milestone())
    return [sorted_timeline(milestones) for milestones in by_case.values()]
