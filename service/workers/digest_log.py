"""The server's periodic "ledger digest" log line, for operators to keep off the machine.

A digest kept elsewhere lets anyone hold the database to it later with `sla-ledger verify
--expect POSITION:SHA256_HEX`: rewriting history before that position changes the hash there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from eventsourcing.persistence import PersistenceError

from domain.errors import LedgerError
from service.store.ledger_chain import Digest

logger = logging.getLogger("sla_ledger.chain")


class DigestLog:
    """Logs the ledger's digest (position and hash) at start and then every interval seconds."""

    def __init__(self, digest: Callable[[], Digest], interval_seconds: float) -> None:
        self._digest = digest
        self._interval = interval_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="digest-log", daemon=True)

    def log_once(self) -> None:
        """Log the current digest (a warning instead when the store cannot give it)."""
        try:
            digest = self._digest()
        except (LedgerError, PersistenceError) as error:
            logger.warning("ledger digest unavailable", extra={"error": str(error)})
            return
        logger.info("ledger digest", extra={"position": digest.position, "hash": digest.hex})

    def start(self) -> None:
        """Log the digest now, then every interval in the background."""
        self.log_once()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop, waiting at most timeout seconds for a line being written."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.log_once()
