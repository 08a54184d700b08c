"""The hash chain over the log: its head, its verification, and its adoption by an old log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from service.app.event_log import EventLog
from service.store.chain_store import LedgerTamperedError
from service.store.chain_verification import verify_storage
from service.store.ledger_chain import Adoption, Digest, Verification
from service.store.ledger_recorder import LedgerRecorder


class LedgerAudit:
    """Reads and checks the hash chain the recorders keep over the log."""

    def __init__(
        self,
        recorder: LedgerRecorder,
        env: Mapping[str, str],
        clock: Callable[[], datetime],
        log: EventLog,
    ) -> None:
        self._recorder = recorder
        self._log = log
        self._env = env
        self._clock = clock

    def ledger_digest(self) -> Digest:
        """The position and hash of the last event of the hash chain."""
        return self._recorder.chain_head()

    def recorded_at(self, digest: Digest) -> datetime | None:
        """When the event at the digest's position was recorded; None for an empty log."""
        if digest.position == 0:
            return None
        found = self._log.notifications(digest.position, 1)
        if not found or found[0].id != digest.position:
            raise LedgerTamperedError(
                f"the hash chain's head at position {digest.position} has no event "
                "(see `sla-ledger verify`)"
            )
        recorded: datetime = self._log.decode(found[0]).timestamp
        return recorded

    def verify_ledger(
        self, after: int = 0, up_to: int = 0, expected: Digest | None = None
    ) -> Verification:
        """Verify the log against the hash chain over (after, up_to], read-only
        (service.store.chain_verification.verify_log)."""
        return verify_storage(self._env, after, up_to, expected)

    def adopt_chain(self, by: str) -> Adoption:
        """Chain a log written before the chain existed: once, recorded with who and when."""
        return self._recorder.adopt_chain(by, self._clock())
