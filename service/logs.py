"""Structured logs: one JSON object per line on standard error."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any

_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON object with its extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value) for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level(text: str) -> str:
    """One of LOG_LEVELS, written in any case; ValueError for anything else."""
    level = text.strip().upper()
    if level not in LOG_LEVELS:
        raise ValueError(text)
    return level


log_level.__name__ = "log level (DEBUG, INFO, WARNING or ERROR)"


def configure_logging(level: str = "INFO") -> None:
    """Send every log record to standard error as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level(level))
    # What Python itself would print on standard error goes through the JSON log too.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
    logging.getLogger("sla_ledger").critical("uncaught exception", exc_info=(kind, error, trace))


def _log_uncaught_in_thread(hook: threading.ExceptHookArgs) -> None:
    if hook.exc_value is None:
        return
    logging.getLogger("sla_ledger").error(
        "uncaught exception in a thread",
        exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback),
        extra={"thread_name": hook.thread.name if hook.thread is not None else ""},
    )
