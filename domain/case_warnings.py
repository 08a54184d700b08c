"""The live warnings a case's clocks are due: at risk, then breached, each raised once.

The rules (docs/cases.md "Warnings" states them for users), for each case objective of the terms
in force whose label scope holds the case, reading its clock at now from what occurred by now:
- at risk: the clock is running (not paused, stopped or breached) and has passed the at-risk
  share of its target (at_risk_at <= now < due). A clock first seen already breached gets the
  breach warning only; a paused clock gets none until it runs again.
- breached: the clock's due instant has come (due <= now) while it was running at due (a stop
  at or before due meets the target, so no due instant is reached), and due lies within the
  horizon (now - horizon <= due): an older breach, known only because history was back-filled,
  raises nothing, so no warning looks live that is not.
- A warning is identified by (objective, kind, due instant) and raised once per identity. A case
  whose due instant moves (a pause, a reopening) can be warned again for the new due instant;
  the warnings already raised stay as they were (the log is append-only).
Each warning carries reached_at_us, the business instant the share or the target was passed,
and is recorded at now, the time the ledger saw it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from domain.agreement import TermsVersion
from domain.case_clocks import ClockState
from domain.case_milestones import CaseClockWarned, Milestone, WarningKind
from domain.case_readings import read_clock
from domain.identifiers import case_warning_stream
from domain.instants import to_epoch_us

# (objective id, warning kind value, due instant in UTC µs)
WarningIdentity = tuple[str, str, int]


def warning_identity(event: CaseClockWarned) -> WarningIdentity:
    """What makes a warning the same warning again."""
    return (event.objective_id, event.warning, event.due_at_us)


def due_warnings(
    agreement_id: str,
    case_id: str,
    timeline: Sequence[Milestone],
    terms: TermsVersion,
    raised: Iterable[CaseClockWarned],
    now: datetime,
    at_risk_percent: int,
    horizon_us: int,
) -> list[CaseClockWarned]:
    """The new warnings of one case at now, at its warning stream's next versions.

    timeline: the case's milestones sorted by occurred_at; raised: every warning its warning
    stream holds; at_risk_percent: 1 to 99; horizon_us: how old a due instant may be to raise a
    breach warning.
    """
    raised = list(raised)
    seen = {warning_identity(event) for event in raised}
    version = max((event.originator_version for event in raised), default=0)
    now_us = to_epoch_us(now)
    time_zone = terms.terms.time_zone
    events: list[CaseClockWarned] = []
    for objective in terms.terms.objectives:
        if objective.rules.case_clock is None:
            continue
        reading = read_clock(timeline, objective, time_zone, now_us, at_risk_percent)
        if reading is None or not reading.in_scope or reading.due_at_us is None:
            continue
        due = reading.due_at_us
        if reading.state is ClockState.BREACHED:
            if due < now_us - horizon_us:
                continue
            kind, reached = WarningKind.BREACHED, due
        elif reading.state is ClockState.RUNNING and reading.at_risk:
            assert reading.at_risk_at_us is not None
            kind, reached = WarningKind.AT_RISK, reading.at_risk_at_us
        else:
            continue
        identity = (objective.objective_id, kind.value, due)
        if identity in seen:
            continue
        seen.add(identity)
        version += 1
        events.append(
            CaseClockWarned(
                originator_id=case_warning_stream(agreement_id, case_id),
                originator_version=version,
                timestamp=now,
                agreement_id=agreement_id,
                case_id=case_id,
                objective_id=objective.objective_id,
                warning=kind.value,
                reached_at_us=reached,
                due_at_us=due,
                terms_version=terms.number,
            )
        )
    return events


def next_look_at(
    timeline: Sequence[Milestone], terms: TermsVersion, now_us: int, at_risk_percent: int
) -> int | None:
    """The first instant after now_us at which due_warnings could raise something it did not at
    now_us, as long as neither the timeline nor the terms in force change; None: not before
    they change.

    That is the next at-risk or due instant of a running clock in scope, or the next milestone
    that occurs after now_us (recorded ahead of the clock, within the skew), whichever is first.
    """
    time_zone = terms.terms.time_zone
    instants = [m.occurred_at_us for m in timeline if m.occurred_at_us > now_us][:1]
    for objective in terms.terms.objectives:
        if objective.rules.case_clock is None:
            continue
        reading = read_clock(timeline, objective, time_zone, now_us, at_risk_percent)
        if reading is None or not reading.in_scope or reading.state is not ClockState.RUNNING:
            continue
        for instant in (reading.at_risk_at_us, reading.due_at_us):
            if instant is not None and instant > now_us:
                instants.append(instant)
                break
    return min(instants, default=None)
