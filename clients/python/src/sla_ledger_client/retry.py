"""When a failed call is tried again, and how long to wait before it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import grpc

from sla_ledger_client.errors import LedgerCallError

# The reason of an ABORTED whose expected_version is stale: the same request can never succeed.
EXPECTED_VERSION_MISMATCH = "EXPECTED_VERSION_MISMATCH"


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of UNAVAILABLE (always) and ABORTED (unless the expected version is stale).

    Attempt n (from 1) that fails waits a random time between 0 and
    ``min(max_backoff, initial_backoff * multiplier ** (n - 1))`` (full jitter), or the server's
    RetryInfo delay when that is longer, before attempt n + 1; at most ``max_attempts`` attempts,
    and never past the call's deadline. ``RetryPolicy(max_attempts=1)`` never retries.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 100:
            raise ValueError("max_attempts must be 1 to 100")
        if not 0 < self.initial_backoff <= self.max_backoff <= 3600:
            raise ValueError("backoffs must satisfy 0 < initial_backoff <= max_backoff <= 3600")
        if not 1 <= self.multiplier <= 10:
            raise ValueError("multiplier must be 1 to 10")

    def should_retry(self, error: LedgerCallError) -> bool:
        """Whether retrying the same request can succeed."""
        if error.code() is grpc.StatusCode.UNAVAILABLE:
            return True
        return error.code() is grpc.StatusCode.ABORTED and error.reason != EXPECTED_VERSION_MISMATCH

    def backoff(self, attempt: int, error: LedgerCallError | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 1)."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1))
        wait = random.uniform(0, ceiling)  # jitter, not security
        if error is not None and error.retry_delay is not None:
            wait = max(wait, min(error.retry_delay, self.max_backoff))
        return wait
