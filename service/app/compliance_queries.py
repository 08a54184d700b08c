"""Compliance reports three ways: replaying the streams a report needs, from rollups, or
replaying the whole agreement (the reference answer); and the choice between the first two."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.agreement import EXCLUSION_EVENTS, Agreement, replay_agreement
from domain.compliance import TrackResult
from domain.compliance_report import ComplianceReport, compliance_report
from domain.compliance_streams import case_window_bounds, window_day_streams
from domain.errors import NotFoundError
from domain.identifiers import agreement_stream, case_stream, is_identifier
from domain.instants import to_epoch_us
from domain.known_at import history_known_at
from domain.oracle import replay_compliance
from domain.period_walk import PeriodWindow, current_windows
from domain.resource_names import agreement_name
from service.app.case_compliance import case_window_results
from service.app.event_log import EventLog
from service.app.rollup_reads import RollupSource, rollup_results
from service.app.subscriber_compliance import SubscriberCompliance


class ComplianceQueries:
    """The compliance of an agreement's objectives at (as_of, known_at)."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        # A service SLA's subscribers and tiers, every way (service/app/subscriber_compliance.py).
        self.subscribers = SubscriberCompliance(log)

    def subscriber_report(
        self,
        agreement_id: str,
        customer_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource | None,
    ) -> tuple[ComplianceReport, int]:
        """One subscriber's report of a service SLA, and the log position it reflects."""
        return self.subscribers.subscriber_report(
            agreement_id, customer_id, objective_id, as_of, known_at, rollups
        )

    def tier_report(
        self,
        agreement_id: str,
        tier_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource | None,
    ) -> tuple[ComplianceReport, int]:
        """The report a service SLA's tier shares, and the log position it reflects."""
        return self.subscribers.tier_report(
            agreement_id, tier_id, objective_id, as_of, known_at, rollups
        )

    def report(
        self,
        agreement_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource | None,
    ) -> tuple[ComplianceReport, int]:
        """The report from rollups when there are rollups to read, else by replaying the
        streams it needs; and the log position it reflects."""
        if rollups is None:
            return self.by_stream_replay(agreement_id, objective_id, as_of, known_at)
        return self.from_rollups(agreement_id, objective_id, as_of, known_at, rollups)

    def by_stream_replay(
        self, agreement_id: str, objective_id: str, as_of: datetime, known_at: datetime
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report at (as_of, known_at), replaying only the streams it needs, and
        the log position it reflects."""
        head, own, states = self._agreement_log(agreement_id)
        streams = self._log.result_streams(agreement_id, states[-1], as_of) | window_day_streams(
            states, as_of
        )
        streams |= self._case_streams(agreement_id, states, as_of, known_at)
        logged = _merged(own, self._log.stream_events(streams, head))
        return replay_compliance(
            (e for _, e in logged), as_of, known_at, objective_id or None
        ), head

    def from_rollups(
        self,
        agreement_id: str,
        objective_id: str,
        as_of: datetime,
        known_at: datetime,
        rollups: RollupSource,
    ) -> tuple[ComplianceReport, int]:
        """The oracle's report at (as_of, known_at) from rollups, and the log position it reflects.

        Whole buckets come from the rollups projection; readings are decoded only for the
        buckets rollups cannot answer and for events the projection has not reached yet. Case
        objectives are counted from the case judgements (service/app/case_compliance.py).
        """
        with rollups.case_snapshot() as cases:  # read first: the head read next is beyond it
            head, own, states = self._agreement_log(agreement_id)
            results = self._log.result_streams(agreement_id, states[-1], as_of)
            logged = _merged(own, self._log.stream_events(results, head))
            history = history_known_at((e for _, e in logged), known_at)
            windows = current_windows(history, as_of, objective_id or None)
            of_cases = [w for w in windows if w.objective.rules.case_clock is not None]
            case_tracks = case_window_results(
                self._log, cases, agreement_id, of_cases, as_of, known_at, head
            )
        tracks = rollup_results(
            self._log, agreement_id, windows, history.exclusions, as_of, known_at, head, rollups
        )

        def from_rollups(current: PeriodWindow) -> list[TrackResult]:
            oid = current.objective.objective_id
            return tracks[oid] if oid in tracks else case_tracks[oid]

        report = compliance_report(
            history, as_of, known_at, objective_id or None, from_rollups, windows
        )
        return report, head

    def by_full_replay(
        self, agreement_id: str, objective_id: str, as_of: datetime, known_at: datetime
    ) -> ComplianceReport:
        """The replay oracle over every event of the agreement: the reference answer."""
        events = self._log.agreement_events(agreement_id)
        if not events:
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        return replay_compliance(events, as_of, known_at, objective_id or None)

    def close_positions(self, report: ComplianceReport, head: int) -> dict[str, int]:
        """The log position of the close of each period whose closed result the report holds,
        by the period's stream (its first event is the close)."""
        streams = {o.closed.stream_id for o in report.objectives if o.closed is not None}
        positions: dict[str, int] = {}
        for position, event in self._log.stream_events(streams, head) if streams else ():
            positions.setdefault(event.originator_id, position)
        return positions

    def _case_streams(
        self, agreement_id: str, states: list[Agreement], as_of: datetime, known_at: datetime
    ) -> set[str]:
        """The streams of the cases that may be judged in the case objectives' windows holding
        as_of, as known at known_at (from the case index)."""
        bounds = case_window_bounds(states, as_of)
        if bounds is None:
            return set()
        ids = self._log.all_case_ids(agreement_id, *bounds, to_epoch_us(known_at))
        return {case_stream(agreement_id, case_id) for case_id in ids}

    def _agreement_log(
        self, agreement_id: str
    ) -> tuple[int, list[tuple[int, Any]], list[Agreement]]:
        """The log's head, the agreement's own (position, event) pairs up to it, and the
        agreement after each of its events but exclusions (which never change its streams)."""
        if not is_identifier(agreement_id):
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        head = self._log.head()
        own = self._log.stream_events({agreement_stream(agreement_id)}, head)
        if not own:
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        events = [cast(Agreement.Event, e) for _, e in own]
        states = [
            replay_agreement(events[: i + 1])
            for i, event in enumerate(events)
            if not isinstance(event, EXCLUSION_EVENTS)
        ]
        return head, own, [s for s in states if s is not None]


def _merged(*logs: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    return sorted((pair for log in logs for pair in log), key=lambda pair: pair[0])
