"""Waiting for a position to be reached: of the log, or of the read models."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.05


def wait_until_reached(current: Callable[[], int], position: int, timeout: float) -> bool:
    """Poll current() until it reaches position; False when timeout seconds pass first."""
    deadline = time.monotonic() + timeout
    while current() < position:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(POLL_SECONDS, remaining))
    return True
