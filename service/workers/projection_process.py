"""The read models kept current by a child `sla-ledger project` process, restarted if it stops.

Ingest and the projections then run on different cores instead of sharing the server's
interpreter. The child exits by itself when the server is gone, even after a SIGKILL.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta

from projections.backoff import Backoff

logger = logging.getLogger("sla_ledger.projections")

RESTART_BACKOFF = Backoff(timedelta(seconds=1), timedelta(seconds=30))


def child_log_level(server_level: str) -> str:
    """The child logs warnings and errors only, unless the server is debugging."""
    level = server_level.upper()
    return level if level in ("DEBUG", "WARNING", "ERROR", "CRITICAL") else "WARNING"


class ProjectionProcess:
    """Runs `sla-ledger project` as a child of this process and restarts it when it stops."""

    def __init__(self, database_url: str, log_level: str) -> None:
        self._command = [
            sys.executable,
            "-m",
            "service.cli",
            "project",
            "--database-url",
            database_url,
            "--log-level",
            child_log_level(log_level),
            "--parent-pid",
            str(os.getpid()),
        ]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._supervisor = threading.Thread(
            target=self._supervise, name="projection-process", daemon=True
        )

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one runs."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child and watch it."""
        with self._lock:
            self._process = subprocess.Popen(self._command, stdin=subprocess.DEVNULL)
        self._supervisor.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the child (SIGTERM, then SIGKILL after timeout) and stop restarting it."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._supervisor.join(timeout)

    def _supervise(self) -> None:
        restarts = 0
        while True:
            with self._lock:
                process = self._process
            assert process is not None
            code = process.wait()
            if self._stopping.is_set():
                return
            restarts += 1
            delay = RESTART_BACKOFF.after(restarts).total_seconds()
            logger.error(
                "projection process stopped; restarting it",
                extra={"exit_code": code, "delay_seconds": delay},
            )
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = subprocess.Popen(self._command, stdin=subprocess.DEVNULL)
