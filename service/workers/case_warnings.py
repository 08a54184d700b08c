"""The background task that raises the at-risk and breach warnings of every agreement's case
clocks, so that a SubscribeEvents consumer learns of them within a round interval."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from service.app.actors import CASE_WARNER, acting_as
from service.app.application import Clock, LedgerApplication
from service.app.case_warnings import DEFAULT_CASES_PER_CALL, DEFAULT_HORIZON, CaseWarnings
from service.workers.background_rounds import (
    AgreementRounds,
    Progress,
    RoundsWorker,
)

logger = logging.getLogger("sla_ledger.case_warner")


class CaseWarner(RoundsWorker):
    """Every interval, appends the case-clock warnings due on every agreement.

    Each agreement is worked in isolation (service/workers/background_rounds.py): one that fails
    is logged with its id and retried with backoff. A call reads at most cases_per_call candidate
    cases; an agreement with more is gone on with after the other agreements, in the same round,
    from where it stopped. Nothing but that position is kept in memory: what was raised is read
    back from the warning streams, so a restart, or a second replica, never raises a warning
    twice (service/app/case_warnings.py).
    """

    def __init__(
        self,
        app: LedgerApplication,
        clock: Clock,
        interval_seconds: float,
        at_risk_percent: int,
        *,
        horizon: timedelta = DEFAULT_HORIZON,
        cases_per_call: int = DEFAULT_CASES_PER_CALL,
    ) -> None:
        self._warnings = CaseWarnings(app)
        self._at_risk_percent = at_risk_percent
        self._horizon = horizon
        self._cases_per_call = cases_per_call
        self._positions: dict[str, str] = {}  # agreement id -> the last case id read
        self._positions_lock = threading.Lock()
        self._rounds = AgreementRounds(
            "case-warner", app, self._warn, clock, interval_seconds, logger=logger
        )

    def _warn(self, agreement_id: str, now: datetime) -> Progress:
        with self._positions_lock:
            after = self._positions.pop(agreement_id, "")
        with acting_as(CASE_WARNER):
            raised = self._warnings.raise_due(
                agreement_id,
                self._at_risk_percent,
                horizon=self._horizon,
                after=after,
                limit=self._cases_per_call,
            )
        if raised.next_after:
            with self._positions_lock:
                self._positions[agreement_id] = raised.next_after
        if raised.appended or raised.conflicts:
            logger.info(
                "case clocks warned",
                extra={
                    "agreement_id": agreement_id,
                    "events": len(raised.appended),
                    "conflicts": raised.conflicts,
                },
            )
        return Progress(len(raised.appended), bool(raised.next_after))
