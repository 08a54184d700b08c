"""A real `sla-ledger serve` process for the API tests, and a finished CLI command.

Waiting is always bounded: log lines are awaited on a condition with a deadline.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

STOP_DEADLINE_SECONDS = 30.0


class ServerProcess:
    """A running `sla-ledger serve` process, its port, a channel to it and its stderr."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.port = 0
        self.channel: Any = None
        self._lines: list[str] = []
        self._closed = False
        self._condition = threading.Condition()
        self._reader = threading.Thread(target=self._drain, name="server-stderr", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        # Read stderr to its end, always, so the server never blocks on a full pipe.
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._condition:
                self._lines.append(line.rstrip("\n"))
                self._condition.notify_all()
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def stderr(self) -> str:
        """Everything the server wrote to stderr so far."""
        with self._condition:
            return "\n".join(self._lines)

    def log_entries(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far, parsed (other lines are skipped)."""
        with self._condition:
            lines = list(self._lines)
        entries = []
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    def wait_for_log(self, message: str, deadline_seconds: float) -> dict[str, Any]:
        """The first log entry with that message, waiting for it up to the deadline."""
        deadline = time.monotonic() + deadline_seconds
        with self._condition:
            while True:
                for entry in self.log_entries():
                    if entry.get("message") == message:
                        return entry
                if self._closed:
                    pytest.fail(
                        f"server closed stderr (exit {self.process.poll()}) before logging "
                        f"{message!r}; stderr:\n{self.stderr}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(
                        f"server did not log {message!r} within {deadline_seconds} s; "
                        f"stderr:\n{self.stderr}"
                    )
                self._condition.wait(remaining)

    def stop(self, deadline_seconds: float = STOP_DEADLINE_SECONDS) -> None:
        """SIGTERM, wait for the exit (bounded), and require exit code 0."""
        self._close_channel()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=deadline_seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(
                f"server did not exit within {deadline_seconds} s of SIGTERM; "
                f"stderr:\n{self.stderr}"
            )
        self._reader.join(timeout=STOP_DEADLINE_SECONDS)
        assert code == 0, f"server exited with {code} after SIGTERM; stderr:\n{self.stderr}"

    def kill(self) -> None:
        """Kill the process if it still runs and release everything it holds."""
        self._close_channel()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STOP_DEADLINE_SECONDS)
        self._reader.join(timeout=STOP_DEADLINE_SECONDS)

    def _close_channel(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None


@dataclass(frozen=True)
class CommandResult:
    """How a command that ran to its end exited, and what it wrote."""

    returncode: int
    stdout: str
    stderr: str
