"""The background task that forfeits unclaimed credits of every agreement once their claim
deadlines have passed (service/app/claim_forfeits.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from service.app.actors import CLAIM_FORFEITER, acting_as
from service.app.application import Clock, LedgerApplication
from service.app.claim_forfeits import Forfeits
from service.workers.background_rounds import AgreementRounds, Progress, RoundsWorker

logger = logging.getLogger("sla_ledger.claim_forfeiter")


class ClaimForfeiter(RoundsWorker):
    """Every interval, appends CreditForfeited for every credit whose claim deadline passed with
    an amount still eligible.

    Each agreement is worked in isolation (service/workers/background_rounds.py): one that fails
    is logged with its id and retried with backoff, and never delays the others. Nothing is kept
    but a shortcut in memory: a restart, or a second replica, forfeits nothing twice.
    """

    def __init__(self, app: LedgerApplication, clock: Clock, interval_seconds: float) -> None:
        self._forfeits = Forfeits(app)
        self._rounds = AgreementRounds(
            "claim-forfeiter", app, self._forfeit, clock, interval_seconds, logger=logger
        )

    def _forfeit(self, agreement_id: str, now: datetime) -> Progress:
        with acting_as(CLAIM_FORFEITER):
            done = self._forfeits.forfeit_due(agreement_id, now)
        if done.appended or done.conflicts:
            logger.info(
                "credits forfeited",
                extra={
                    "agreement_id": agreement_id,
                    "events": done.appended,
                    "conflicts": done.conflicts,
                },
            )
        return Progress(done.appended)
