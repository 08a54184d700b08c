"""The background task that closes due periods of every agreement, a grace time after they end."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from eventsourcing.persistence import PersistenceError

from domain.errors import LedgerError
from service.actors import PERIOD_CLOSER, acting_as
from service.application import Clock, LedgerApplication

logger = logging.getLogger("sla_ledger.period_closer")


class PeriodCloser:
    """Every interval, closes the periods of every agreement that ended more than grace ago."""

    def __init__(
        self, app: LedgerApplication, clock: Clock, grace: timedelta, interval_seconds: float
    ) -> None:
        self._app = app
        self._clock = clock
        self._grace = grace
        self._interval = interval_seconds
        self._agreements: list[str] = []
        self._scanned_to = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="period-closer", daemon=True)

    def run_once(self) -> int:
        """Close what is due now; the number of events appended.

        A call closes a bounded number of periods (see service.closing); agreements with more
        due are closed again in further passes, one call each per pass, so an agreement with
        decades of periods to catch up never holds up the others.
        """
        found, self._scanned_to = self._app.agreement_ids(self._scanned_to)
        self._agreements.extend(found)
        until = self._clock() - self._grace
        appended = 0
        pending = list(self._agreements)
        while pending and not self._stopping.is_set():
            more = []
            for agreement_id in pending:
                if self._stopping.is_set():
                    break
                try:
                    with acting_as(PERIOD_CLOSER):
                        closed = self._app.close_periods(agreement_id, until)
                except (LedgerError, PersistenceError):
                    logger.exception("closing failed", extra={"agreement_id": agreement_id})
                    continue
                if closed.events:
                    appended += len(closed.events)
                    logger.info(
                        "periods closed",
                        extra={
                            "agreement_id": agreement_id,
                            "events": len(closed.events),
                            "more_due": closed.more_due,
                        },
                    )
                if closed.more_due:
                    more.append(agreement_id)
            pending = more
        return appended

    def start(self) -> None:
        """Start closing in the background."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the agreement being closed, waiting at most timeout seconds."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # keep the task alive; the next round retries
                logger.exception("period closer round failed")
            self._stopping.wait(self._interval)
