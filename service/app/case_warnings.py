"""Raising the live warnings of an agreement's case clocks (domain/case_warnings.py), a page of
cases at a time.

The candidates come from the case index: the cases that may be judged between now - horizon and
now (service/store/case_index.py), i.e. every unsettled case and every case settled by a
milestone within the horizon, so a settled case whose breach lies further back is not read
again. Each case's warnings are saved in a transaction of their own at its warning stream's next
versions: when another writer (a second replica) appended to that stream first, the save fails
on the version and this one gives way: the next call sees what the other wrote.

A case is read again only when something can have changed: its stream has a new version, the
terms in force changed, or the next instant at which a warning could fall due has come
(domain/case_warnings.py next_look_at). That memo is kept in memory, per process: a restart
reads every candidate once again, and the warning streams say what was already raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from eventsourcing.persistence import IntegrityError

from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded
from domain.case_timeline import sorted_timeline
from domain.case_warnings import due_warnings, next_look_at
from domain.identifiers import case_stream, case_warning_stream
from domain.instants import to_epoch_us
from projections.log_source import LoggedEvent

if TYPE_CHECKING:
    from service.app.application import LedgerApplication

DEFAULT_HORIZON = timedelta(hours=24)
DEFAULT_CASES_PER_CALL = 500


@dataclass(frozen=True)
class RaisedWarnings:
    """What one call did: the warnings it appended, the cases whose warning stream another writer
    appended to first, and the case id to go on after (empty once the last page was read)."""

    appended: tuple[CaseClockWarned, ...]
    conflicts: int
    next_after: str
    read: int = 0  # the cases whose streams were read


@dataclass(frozen=True)
class _Looked:
    """What a case was when it was last looked at, and when to look at it again."""

    case_version: int
    terms_version: int
    at_risk_percent: int
    again_at_us: int | None  # None: not before its case or terms change

    def is_current(self, looked: _Looked, now_us: int) -> bool:
        """Whether a case as it is now (looked) needs no new look at now_us."""
        same = (self.case_version, self.terms_version, self.at_risk_percent) == (
            looked.case_version,
            looked.terms_version,
            looked.at_risk_percent,
        )
        return same and (self.again_at_us is None or now_us < self.again_at_us)


class CaseWarnings:
    """Appends the at-risk and breach warnings due now on an agreement's case clocks."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app
        # agreement id -> case id -> _Looked, for the pass over its candidates under way and the
        # pass before it (a case no pass meets any more is forgotten after the next one).
        self._looked: dict[str, dict[str, _Looked]] = {}
        self._looked_before: dict[str, dict[str, _Looked]] = {}

    def raise_due(
        self,
        agreement_id: str,
        at_risk_percent: int,
        *,
        horizon: timedelta = DEFAULT_HORIZON,
        after: str = "",
        limit: int = DEFAULT_CASES_PER_CALL,
    ) -> RaisedWarnings:
        """The warnings due now on up to limit candidate cases after the case id after (in id
        order), appended; nothing for an unknown or terminated agreement, or one whose terms in
        force hold no case objective."""
        app = self._app
        now = app.now()
        now_us = to_epoch_us(now)
        horizon_us = horizon // timedelta(microseconds=1)
        log = app.event_log
        case_ids = log.case_ids(agreement_id, now_us - horizon_us, now_us + 1, now_us, after, limit)
        if not case_ids:
            # Read from the case index before the agreement is replayed: a round over many
            # agreements without open cases costs one indexed read each.
            return RaisedWarnings((), 0, "")
        agreement = app.agreements.find_agreement(agreement_id)
        if agreement is None:
            return RaisedWarnings((), 0, "")
        if agreement.termination is not None and agreement.termination.effective_at <= now:
            return RaisedWarnings((), 0, "")
        terms = agreement.terms_in_force(now)
        if not any(o.rules.case_clock is not None for o in terms.terms.objectives):
            return RaisedWarnings((), 0, "")
        looked = self._pass(agreement_id, fresh=not after)
        before = self._looked_before.get(agreement_id, {})
        heads = log.stream_heads([case_stream(agreement_id, case_id) for case_id in case_ids])
        versions = {
            case_id: heads.get(case_stream(agreement_id, case_id), 0) for case_id in case_ids
        }
        to_read = []
        for case_id in case_ids:
            memo = looked.get(case_id) or before.get(case_id)
            now_seen = _Looked(versions[case_id], terms.number, at_risk_percent, None)
            if memo is not None and memo.is_current(now_seen, now_us):
                looked[case_id] = memo
            else:
                to_read.append(case_id)
        milestones = log.case_events(agreement_id, to_read)
        raised = self._raised(agreement_id, to_read)
        appended: list[CaseClockWarned] = []
        conflicts = 0
        for case_id in to_read:
            timeline = sorted_timeline(
                _milestone(e).milestone() for e in milestones.get(case_id, ())
            )
            if not timeline:
                continue
            new = due_warnings(
                agreement_id,
                case_id,
                timeline,
                terms,
                raised.get(case_id, ()),
                now,
                at_risk_percent,
                horizon_us,
            )
            if new:
                try:
                    app.save(*new)
                    appended.extend(new)
                except IntegrityError:
                    conflicts += 1  # another writer warned this case first
            again = next_look_at(timeline, terms, now_us, at_risk_percent)
            looked[case_id] = _Looked(versions[case_id], terms.number, at_risk_percent, again)
        next_after = case_ids[-1] if len(case_ids) == limit else ""
        return RaisedWarnings(tuple(appended), conflicts, next_after, len(to_read))

    def _pass(self, agreement_id: str, fresh: bool) -> dict[str, _Looked]:
        """The memo of the pass under way over the agreement's candidates; a fresh pass keeps
        the last one's as the one before."""
        if fresh or agreement_id not in self._looked:
            self._looked_before[agreement_id] = self._looked.get(agreement_id, {})
            self._looked[agreement_id] = {}
        return self._looked[agreement_id]

    def _raised(
        self, agreement_id: str, case_ids: Sequence[str]
    ) -> Mapping[str, list[CaseClockWarned]]:
        """The warnings each case's warning stream holds, in one read."""
        streams = [case_warning_stream(agreement_id, case_id) for case_id in case_ids]
        found: dict[str, list[CaseClockWarned]] = {}
        if not streams:
            return found
        for stored in self._app.event_log.stream_notifications(streams):
            event = self._app.event_log.decode(stored)
            if isinstance(event, CaseClockWarned):
                found.setdefault(event.case_id, []).append(event)
        return found


def _milestone(logged: LoggedEvent) -> CaseMilestoneRecorded:
    return cast(CaseMilestoneRecorded, logged.event)
