"""The background task that closes due periods of every agreement, a grace time after they end."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from domain.agreement import Agreement
from domain.automatic_closing import automatic_close_until
from domain.identifiers import agreement_stream
from service.app.actors import PERIOD_CLOSER, acting_as
from service.app.application import Clock, LedgerApplication
from service.workers.background_rounds import (
    AgreementRounds,
    Progress,
    RoundsWorker,
)

logger = logging.getLogger("sla_ledger.period_closer")


class PeriodCloser(RoundsWorker):
    """Every interval, closes the periods of every agreement that ended more than grace ago.

    An agreement whose newest terms were recorded less than grace ago is left alone, so its
    history can be back-filled first (domain/automatic_closing.py). Each agreement is closed in
    isolation (service/workers/background_rounds.py): one that fails is logged with its id and
    retried with backoff, and never delays the others. A call closes a bounded number of periods
    (service/app/closing_plans.py); an agreement with more due is closed again after the others.
    """

    def __init__(
        self, app: LedgerApplication, clock: Clock, grace: timedelta, interval_seconds: float
    ) -> None:
        self._app = app
        self._grace = grace
        self._rounds = AgreementRounds(
            "period-closer", app, self._close, clock, interval_seconds, logger=logger
        )

    def _close(self, agreement_id: str, now: datetime) -> Progress:
        agreement = cast(Agreement, self._app.repository.get(agreement_stream(agreement_id)))
        until = automatic_close_until(agreement, now, self._grace)
        if until is None:
            return Progress(0)
        with acting_as(PERIOD_CLOSER):
            closed = self._app.commands.close_periods(agreement_id, until)
        if closed.events:
            logger.info(
                "periods closed",
                extra={
                    "agreement_id": agreement_id,
                    "events": len(closed.events),
                    "more_due": closed.more_due,
                },
            )
        return Progress(len(closed.events), closed.more_due)
