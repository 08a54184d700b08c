"""Raising the live warnings of an agreement's case clocks (domain/case_warnings.py), a page of
cases at a time.

The candidates come from the case index: the cases that may be judged between now - horizon and
now (service/store/case_index.py), i.e. every unsettled case and every case settled by a
milestone within the horizon, so a settled case whose breach lies further back is not read
again. Each case's warnings are saved in a transaction of their own at its warning stream's next
versions: when another writer (a second replica) appended to that stream first, the save fails
on the version and this one gives way: the next call sees what the other wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from eventsourcing.persistence import IntegrityError

from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded
from domain.case_timeline import sorted_timeline
from domain.case_warnings import due_warnings
from domain.identifiers import case_warning_stream
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


class CaseWarnings:
    """Appends the at-risk and breach warnings due now on an agreement's case clocks."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

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
        agreement = app.agreements.find_agreement(agreement_id)
        if agreement is None:
            return RaisedWarnings((), 0, "")
        if agreement.termination is not None and agreement.termination.effective_at <= now:
            return RaisedWarnings((), 0, "")
        terms = agreement.terms_in_force(now)
        if not any(o.rules.case_clock is not None for o in terms.terms.objectives):
            return RaisedWarnings((), 0, "")
        now_us = to_epoch_us(now)
        horizon_us = horizon // timedelta(microseconds=1)
        log = app.event_log
        case_ids = log.case_ids(agreement_id, now_us - horizon_us, now_us + 1, now_us, after, limit)
        milestones = log.case_events(agreement_id, case_ids)
        raised = self._raised(agreement_id, case_ids)
        appended: list[CaseClockWarned] = []
        conflicts = 0
        for case_id in case_ids:
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
            if not new:
                continue
            try:
                app.save(*new)
            except IntegrityError:
                conflicts += 1  # another writer warned this case first
                continue
            appended.extend(new)
        next_after = case_ids[-1] if len(case_ids) == limit else ""
        return RaisedWarnings(tuple(appended), conflicts, next_after)

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
