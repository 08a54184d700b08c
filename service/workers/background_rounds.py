"""Background work done for every agreement in rounds, each agreement in isolation.

A worker (the period closer; later claim forfeiture, case-clock warnings) gives a function that
does its work for one agreement. Every round calls it for every agreement the ledger holds, in
the order they were signed. Any exception it raises is logged with the agreement's id and puts
that agreement alone into backoff: it is tried again at the first round after the delay, which
starts at one round interval and doubles with each consecutive failure up to a cap (an hour),
and is forgotten at its first success. The other agreements of the round go on as if nothing
happened. A failure while the storage itself does not answer is no agreement's fault: the
round stops there, nobody is put into backoff, and the next round starts again from the first
agreement.

Work for one agreement may be bounded per call (ClosePeriod closes at most so many periods):
the function then says that more is waiting, and the round comes back to that agreement after
every other agreement has had its turn, until nothing more is waiting, so an agreement with
decades to catch up never holds up the others.

Nothing is kept but in memory: the work itself must be idempotent (the ledger's store refuses a
second close), so a restart only means every failing agreement is tried again at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from projections.backoff import Backoff
from service.app.application import Clock, LedgerApplication

LONGEST_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Progress:
    """What a worker did for one agreement in one call: a count (e.g. the events appended), and
    whether more of its work is waiting."""

    done: int
    more: bool = False


# (agreement id, the round's instant) -> what it did
AgreementWork = Callable[[str, datetime], Progress]
# (worker name, whether the round failed) -> None: told of every round (the metrics count them)
RoundObserver = Callable[[str, bool], None]


def _ignore_round(_worker: str, _failed: bool) -> None:
    """The round observer of a worker without metrics."""


@dataclass(frozen=True)
class FailingAgreement:
    """An agreement whose work failed the last time: how often in a row, and when it is next
    tried."""

    agreement_id: str
    failures: int
    failed_at: datetime
    retry_at: datetime
    error: str

    def is_due(self, now: datetime) -> bool:
        """Whether to try again at now (also when the clock went back before the failure)."""
        return now >= self.retry_at or now < self.failed_at


class AgreementRounds:
    """Every interval, does a worker's work for each agreement of the ledger, in isolation."""

    def __init__(
        self,
        name: str,
        app: LedgerApplication,
        work: AgreementWork,
        clock: Clock,
        interval_seconds: float,
        *,
        longest_backoff: timedelta = LONGEST_BACKOFF,
        logger: logging.Logger | None = None,
    ) -> None:
        self._name = name
        self._app = app
        self._work = work
        self._clock = clock
        self._interval = interval_seconds
        first = timedelta(seconds=interval_seconds)
        self._backoff = Backoff(first, max(first, longest_backoff))
        self._logger = logger or logging.getLogger(f"sla_ledger.{name}")
        self._agreements: list[str] = []
        self._scanned_to = 0
        self._failing: dict[str, FailingAgreement] = {}
        self._on_round: RoundObserver = _ignore_round
        self._failed_this_round = False
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def observe(self, on_round: RoundObserver) -> None:
        """Tell on_round of every round from now on: the worker's name, and whether the round
        failed (an agreement's work failed, the storage did not answer, or the round raised)."""
        self._on_round = on_round

    def run_once(self) -> int:
        """One round over every agreement not in backoff; the sum of what the work counted."""
        self._failed_this_round = False
        failed = True
        try:
            done = self._round()
            failed = self._failed_this_round
        finally:
            self._on_round(self._name, failed)
        return done

    def _round(self) -> int:
        found, self._scanned_to = self._app.agreements.agreement_ids(self._scanned_to)
        self._agreements.extend(found)
        now = self._clock()
        done = 0
        pending = list(self._agreements)
        while pending and not self._stopping.is_set():
            more = []
            for agreement_id in pending:
                if self._stopping.is_set():
                    break
                progress = self._work_on(agreement_id, now)
                if progress is None:
                    self._failed_this_round = True
                    return done  # the storage does not answer: the next round starts again
                done += progress.done
                if progress.more:
                    more.append(agreement_id)
            pending = more
        return done

    def _work_on(self, agreement_id: str, now: datetime) -> Progress | None:
        """The work for one agreement, isolated: nothing done when it is in backoff or failed;
        None when the storage itself does not answer."""
        with self._lock:
            failing = self._failing.get(agreement_id)
        if failing is not None and not failing.is_due(now):
            return Progress(0)
        try:
            progress = self._work(agreement_id, now)
        except Exception as error:
            if not self._storage_answers():
                self._logger.exception(
                    "round stopped: the storage does not answer; the next round retries",
                    extra={"worker": self._name, "agreement_id": agreement_id},
                )
                return None
            self._failed(agreement_id, now, error, failing)
            return Progress(0)
        if failing is not None:
            self._recovered(agreement_id, failing)
        return progress

    def failing(self) -> list[FailingAgreement]:
        """The agreements whose work failed the last time they were tried, by id."""
        with self._lock:
            return sorted(self._failing.values(), key=lambda f: f.agreement_id)

    def start(self) -> None:
        """Start the rounds in a background thread."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the agreement being worked on, waiting at most timeout seconds."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _failed(
        self,
        agreement_id: str,
        now: datetime,
        error: Exception,
        before: FailingAgreement | None,
    ) -> None:
        self._failed_this_round = True
        failures = (before.failures if before is not None else 0) + 1
        delay = self._backoff.after(failures)
        failing = FailingAgreement(
            agreement_id, failures, now, now + delay, f"{type(error).__name__}: {error}"
        )
        with self._lock:
            self._failing[agreement_id] = failing
        self._logger.exception(
            "agreement failed; retrying it later",
            extra={
                "worker": self._name,
                "agreement_id": agreement_id,
                "failures": failures,
                "retry_in_seconds": delay.total_seconds(),
            },
        )

    def _recovered(self, agreement_id: str, before: FailingAgreement) -> None:
        with self._lock:
            self._failing.pop(agreement_id, None)
        self._logger.info(
            "agreement recovered",
            extra={"worker": self._name, "agreement_id": agreement_id, "failures": before.failures},
        )

    def _storage_answers(self) -> bool:
        try:
            return self._app.is_ready()
        except Exception:
            return False

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # e.g. the storage is down: keep the task alive, retry next round
                self._logger.exception("round failed", extra={"worker": self._name})
            self._stopping.wait(self._interval)


class RoundsWorker:
    """A background worker whose work runs in AgreementRounds (set as _rounds)."""

    _rounds: AgreementRounds

    def run_once(self) -> int:
        """Do what is due now, agreement by agreement; the number of events appended."""
        return self._rounds.run_once()

    def failing(self) -> list[FailingAgreement]:
        """The agreements whose work failed the last time, each with its next retry."""
        return self._rounds.failing()

    def observe(self, on_round: RoundObserver) -> None:
        """Tell on_round of every round: the worker's name and whether the round failed."""
        self._rounds.observe(on_round)

    def start(self) -> None:
        """Start working in the background."""
        self._rounds.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the agreement being worked on, waiting at most timeout seconds."""
        self._rounds.stop(timeout)
