"""The walk of an objective's periods from the term start, a shortcut into it, and its windows.

A PeriodWindow is one objective-period cut to the agreement's term, with the terms that judge
it: closed once its window has ended (due_periods), or open around an instant (period_at,
current_windows).

walk_periods gives every period of an objective in order, each with its window and the terms
that judge it. Walking decades of daily periods to reach one instant costs seconds, so the walk
can be asked to start near an instant: where nothing can change the periods between where it is
and that instant (no amendment takes effect, no term ends, no termination, and no label walked
before can come round again), it jumps to a few periods before the instant. What it gives from
there is exactly what the whole walk gives; the periods it left out all end before the instant.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.agreement import Agreement, TermsVersion
from domain.agreement_history import AgreementHistory, evaluation_window, governing_terms
from domain.periods import Period, period_containing
from domain.terms import Objective, PeriodUnit

_TICK = timedelta(microseconds=1)
# Periods walked one by one before the instant a walk jumps towards. A calendar that moves to
# another zone at a breakpoint starts at most two days off, so three periods of any unit cover
# every label it could repeat.
JUMP_MARGIN = 3


@dataclass(frozen=True)
class PeriodWindow:
    """An objective-period and its evaluation window, with the terms that govern it."""

    objective: Objective
    period: Period
    terms: TermsVersion
    window_start: datetime
    window_end: datetime


def walk_periods(
    agreement: Agreement, objective_id: str, near: datetime | None = None
) -> Iterator[PeriodWindow]:
    """The objective's periods in order from the term start, each with its window and terms.

    At each instant the terms in force define the calendar (unit and time zone) of the period
    containing it, and the next period starts where that one ends. An amendment that changes the
    unit or the time zone therefore lets the period in progress run to its end and starts the
    new calendar there, with a shorter first window: no instant is judged twice and none is
    skipped. The terms that judge a period are those that govern it (governing_terms); an
    objective that an amendment adds is judged from its effective instant, by the amendment's
    terms. The walk ends at the term end or termination.

    A label names one period: where a calendar moved west would start a period whose label was
    already walked (a zone change inside a week: Berlin's 2026-W01 ends an hour before UTC's), the
    period in progress runs on to the end of the new calendar's period of that label.

    With near, periods that end before near may be left out (see the module's docstring); every
    period ending after near is given, and so are the JUMP_MARGIN periods before it.
    """
    versions = agreement.terms_versions
    instant = versions[0].terms.term_start
    walked: set[str] = set()
    latest: dict[PeriodUnit, str] = {}
    retry: datetime | None = None  # no jump can be found before the walk reaches it
    upcoming = _calendar_period(agreement, objective_id, instant)
    while True:
        if upcoming is None:
            later = [
                v.effective_from
                for v in versions
                if v.effective_from > instant and v.terms.objective(objective_id)
            ]
            if not later:
                return
            instant = min(later)
            upcoming = _calendar_period(agreement, objective_id, instant)
            continue
        in_force, objective, period = upcoming
        tiling = period.start == instant and period.label > latest.get(period.unit, "")
        ahead = near is not None and instant < near and (retry is None or instant >= retry)
        if near is not None and ahead and tiling:
            target, retry = _jump_target(agreement, objective_id, in_force, period, near)
            if target is not None:
                period, instant = target, target.start
        upcoming = _calendar_period(agreement, objective_id, period.end)
        while upcoming is not None and (
            upcoming[2].label == period.label or upcoming[2].label in walked
        ):
            period = replace(period, end=upcoming[2].end)
            upcoming = _calendar_period(agreement, objective_id, period.end)
        walked.add(period.label)
        latest[period.unit] = max(latest.get(period.unit, ""), period.label)
        governing = governing_terms(agreement, period)
        if governing is None or governing.terms.objective(objective_id) is None:
            governing = in_force
        judged = governing.terms.objective(objective_id) or objective
        window = evaluation_window(agreement, governing, period)
        if window is None or max(window[0], instant) >= window[1]:
            return
        yield PeriodWindow(judged, period, governing, max(window[0], instant), window[1])
        instant = period.end


def _jump_target(
    agreement: Agreement,
    objective_id: str,
    in_force: TermsVersion,
    period: Period,
    near: datetime,
) -> tuple[Period | None, datetime]:
    """The period the walk may jump to from period (which starts where the walk stands, with a
    label after every label walked): JUMP_MARGIN periods before the one holding near, or before
    the next instant that could change the calendar or end the walk (returned too: no jump can
    be found before it); None when that is not ahead.

    Up to that instant the terms in force stay in_force, so the calendar stays the same and the
    periods tile time; the terms that govern each period stay the same, so if the target's window
    is not empty, none of the periods jumped over has an empty one (which would end the walk).
    """
    breakpoints = [v.effective_from for v in agreement.terms_versions]
    breakpoints += [v.terms.term_end for v in agreement.terms_versions if v.terms.term_end]
    if agreement.termination is not None:
        breakpoints.append(agreement.termination.effective_at)
    limit = min([near, *(b for b in breakpoints if b > period.start)])
    zone = in_force.terms.time_zone
    try:
        target = period_containing(limit, period.unit, zone)
        for _ in range(JUMP_MARGIN):
            target = period_containing(target.start - _TICK, period.unit, zone)
    except ValueError:  # at the end of the calendar's range: walk instead
        return None, limit
    if target.start <= period.start:
        return None, limit
    governing = governing_terms(agreement, target)
    if governing is None or governing.terms.objective(objective_id) is None:
        governing = in_force
    window = evaluation_window(agreement, governing, target)
    return (target if window is not None and window[0] < window[1] else None), limit


def _calendar_period(
    agreement: Agreement, objective_id: str, instant: datetime
) -> tuple[TermsVersion, Objective, Period] | None:
    """The terms in force at instant, the objective in them and its period holding instant."""
    in_force = agreement.terms_in_force(instant)
    objective = in_force.terms.objective(objective_id)
    if objective is None:
        return None
    zone = in_force.terms.time_zone
    return in_force, objective, period_containing(instant, objective.period, zone)


def period_at(agreement: Agreement, objective_id: str, instant: datetime) -> PeriodWindow | None:
    """The objective's period whose window holds instant (or the last one, after the end)."""
    last = None
    for candidate in walk_periods(agreement, objective_id, near=instant):
        if candidate.window_end > instant:
            return candidate if candidate.window_start <= instant else last
        last = candidate
    return last


def due_periods(history: AgreementHistory, until: datetime) -> list[PeriodWindow]:
    """Every objective-period whose window ended at or before until, oldest first."""
    agreement = history.agreement
    due = [
        candidate
        for objective_id in agreement.objective_ids
        for candidate in itertools.takewhile(
            lambda c: c.window_end <= until, walk_periods(agreement, objective_id)
        )
    ]
    return sorted(due, key=lambda d: (d.window_end, d.objective.objective_id))


def earlier_labels(due: PeriodWindow) -> Iterator[str]:
    """The labels of the periods before due's in its calendar, the latest first: where a run of
    breaches ending with due reaches back to (while they are breached)."""
    zone = due.terms.terms.time_zone
    period = due.period
    while True:
        try:
            period = period_containing(period.start - _TICK, period.unit, zone)
        except ValueError:  # before the first period the calendar has
            return
        yield period.label


def current_windows(
    history: AgreementHistory, as_of: datetime, objective_id: str | None
) -> list[PeriodWindow]:
    """The windows holding as_of of the objectives a report covers (those that have one)."""
    windows = []
    for objective in history.agreement.standing_at(as_of).terms.terms.objectives:
        if objective_id is None or objective.objective_id == objective_id:
            current = period_at(history.agreement, objective.objective_id, as_of)
            if current is not None:
                windows.append(current)
    return windows
