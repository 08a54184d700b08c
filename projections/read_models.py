"""The read models of a ledger: their runners, their background thread, and waits for positions.

They read the log only through a LogSource, and are given their engine, the encoder of the
public schema and the lock that serialises table creation, so projections never import service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine

from domain.agreement_directory import AgreementSummary, DirectoryFilter
from domain.rollup_sums import SpanSums
from projections.agreement_directory import AgreementDirectory
from projections.agreement_directory_queries import (
    DirectoryRead,
    directory_position,
    list_agreements,
)
from projections.audit import Audit, audit_read_models
from projections.backoff import Backoff
from projections.case_counts import CaseJudgementSnapshot, case_snapshot
from projections.case_judgements import CaseJudgements
from projections.credit_lifecycle_views import CreditLifecycleViews
from projections.dispute_views import DisputeViews
from projections.event_encodings import EventEncoder, EventEncodings, read_encoded
from projections.ledger_views import LedgerViews
from projections.log_source import LoggedNotification, LogSource
from projections.reading_rollups import ReadingRollups, read_rollups, rollups_position
from projections.runner import BatchedProjectionRunner, create_tables, drop_tables, run_together
from projections.subscription_views import SubscriptionViews
from projections.waiting import POLL_SECONDS, wait_until_reached

BATCH_SIZE = 500
# After a failed round: wait, reconnect and retry, half a second at first, at most 30 s apart.
RETRY_BACKOFF = Backoff(timedelta(seconds=0.5), timedelta(seconds=30))
logger = logging.getLogger("sla_ledger.projections")


class ReadModels:
    """The ledger's projections over one database, fed from the log."""

    def __init__(
        self,
        log: LogSource,
        engine: Engine,
        encoder: EventEncoder,
        schema_lock: Callable[[], AbstractContextManager[object]],
    ) -> None:
        self._log = log
        self.engine = engine
        self.views = LedgerViews()
        self.rollups = ReadingRollups()
        self.runner = BatchedProjectionRunner(self.engine, self.read_log, self.views)
        self.rollups_runner = BatchedProjectionRunner(self.engine, self.read_log, self.rollups)
        self.encodings = EventEncodings(encoder)
        self.encodings_runner = BatchedProjectionRunner(self.engine, self.read_log, self.encodings)
        self.cases = CaseJudgements()
        self.cases_runner = BatchedProjectionRunner(self.engine, self.read_log, self.cases)
        self.subscriptions = SubscriptionViews()
        self.subscriptions_runner = BatchedProjectionRunner(
            self.engine, self.read_log, self.subscriptions
        )
        self.credit_lifecycle = CreditLifecycleViews()
        self.credit_lifecycle_runner = BatchedProjectionRunner(
            self.engine, self.read_log, self.credit_lifecycle
        )
        self.disputes = DisputeViews()
        self.disputes_runner = BatchedProjectionRunner(self.engine, self.read_log, self.disputes)
        self.directory = AgreementDirectory()
        self.directory_runner = BatchedProjectionRunner(self.engine, self.read_log, self.directory)
        self.runners = (
            self.runner,
            self.rollups_runner,
            self.encodings_runner,
            self.cases_runner,
            self.subscriptions_runner,
            self.credit_lifecycle_runner,
            self.disputes_runner,
            self.directory_runner,
        )
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._schema_lock = schema_lock

    def create(self) -> None:
        """Create the tables once (under the schema lock on PostgreSQL)."""
        with self._schema_lock():
            create_tables(self.engine, [r.name for r in self.runners])

    def rebuild(self, *, encodings: bool = False) -> int:
        """Drop and rebuild every read model from the log (with encodings, the event encodings
        too, which otherwise stay: they depend on nothing but the events); the events applied."""
        dropped = [
            self.runner,
            self.rollups_runner,
            self.cases_runner,
            self.subscriptions_runner,
            self.credit_lifecycle_runner,
            self.disputes_runner,
            self.directory_runner,
            *([self.encodings_runner] if encodings else []),
        ]
        with self._schema_lock():
            drop_tables(self.engine, [r.name for r in dropped], caches=encodings)
            create_tables(self.engine, [r.name for r in self.runners])
        return self.catch_up()

    def catch_up(self) -> int:
        """Bring every read model up to the end of the log; the events the slowest applied."""
        total = 0
        while applied := self.run_round():
            total += applied
        return total

    def run_round(self) -> int:
        """Apply the next batch of the log to every read model, reading and decoding it once."""
        return run_together(self.runners, self.read_log, BATCH_SIZE)

    def start(self) -> None:
        """Keep the read models current in a background thread."""
        self._thread = threading.Thread(
            target=self._run_forever,
            args=(self._stopping, POLL_SECONDS),
            name="projections",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the background thread after its current batch."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.engine.dispose()

    def reconnect(self) -> None:
        """Drop every pooled connection of the read models' engine; the next use opens new ones.

        A connection can stay unusable after its cause is gone: SQLite opens a file it may not
        write read-only, for good; PostgreSQL keeps a session's read-only default."""
        self.engine.dispose()

    def _run_forever(self, stopping: threading.Event, poll_seconds: float) -> None:
        failures = 0
        while not stopping.is_set():
            try:
                applied = self.run_round()
            except Exception:  # keep running; the next round retries the same batch
                failures += 1
                delay = RETRY_BACKOFF.after(failures).total_seconds()
                logger.exception(
                    "projection round failed; reconnecting and retrying",
                    extra={"failures": failures, "retry_in_seconds": delay},
                )
                self.reconnect()
                stopping.wait(delay)
                continue
            if failures:
                logger.warning("projections recovered", extra={"failures": failures})
                failures = 0
            if not applied:
                stopping.wait(poll_seconds)

    def position(self) -> int:
        """The log position every read model reflects."""
        return min(runner.position() for runner in self.runners)

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until the read models reflect position (whoever runs them); False on timeout."""
        return wait_until_reached(self.position, position, timeout)

    def audit(self) -> Audit:
        """Rebuild every read model from the log in a scratch database, each up to its stored
        tracking position, and compare it row by row with the stored one."""
        projections = (
            self.views,
            self.rollups,
            self.encodings,
            self.cases,
            self.subscriptions,
            self.credit_lifecycle,
            self.disputes,
            self.directory,
        )
        return audit_read_models(self.engine, self.read_log, projections, self._log_head)

    def _log_head(self) -> int:
        return self._log.head()

    def read_log(self, after: int, limit: int) -> Sequence[LoggedNotification]:
        """Up to limit entries of the log after a position, decoded only when asked."""
        return self._log.read_log(after, limit)

    def window_rollups(
        self,
        agreement_id: str,
        windows: Sequence[tuple[str, int, int]],
        known_at_us: int,
        up_to: int,
    ) -> tuple[int, dict[str, list[tuple[int, SpanSums]]]]:
        """The rollups of each (objective, start µs, end µs) window recorded by known_at_us,
        as far as the projection has got but not beyond up_to; and that position."""
        with self.engine.connect() as connection:
            # Rows and tracking commit together, so no row beyond the position read is used.
            position = min(rollups_position(connection), up_to)
            return position, {
                objective_id: read_rollups(
                    connection,
                    agreement_id,
                    objective_id,
                    start,
                    end,
                    known_at_us,
                    position,
                )
                for objective_id, start, end in windows
            }

    @contextmanager
    def case_snapshot(self) -> Iterator[CaseJudgementSnapshot]:
        """The case judgements at one position, read in one snapshot (held while in use)."""
        with case_snapshot(self.engine) as snapshot:
            yield snapshot

    def encodings_position(self) -> int:
        """The log position up to which every event is encoded."""
        return self.encodings_runner.position()

    def read_encoded(
        self,
        after: int,
        up_to: int,
        limit: int,
        agreement_id: str,
        event_types: Sequence[str],
        max_bytes: int,
    ) -> tuple[list[tuple[int, bytes]], bool]:
        """Encoded events after a position and up to another, filtered, in log order, until
        they reach max_bytes; and whether they were cut there."""
        with self.engine.connect() as connection:
            return read_encoded(
                connection, after, up_to, limit, agreement_id, event_types, max_bytes
            )

    def list_agreements(
        self,
        where: DirectoryFilter,
        as_of: datetime,
        known_at: datetime,
        up_to: int,
        after: str,
        limit: int,
    ) -> tuple[int, list[AgreementSummary]]:
        """Up to limit agreements after the id after, in id order, matching where at as_of as
        known at known_at, from the directory as far as it has got but not beyond up_to (0: as
        far as it has got); and that position."""
        with self.engine.connect() as connection:
            # Rows and tracking commit together, so no row beyond the position read is used.
            reached = directory_position(connection)
            position = min(reached, up_to) if up_to else reached
            at = DirectoryRead(as_of, known_at, position)
            return position, list_agreements(connection, where, at, after, limit)
