"""A delay between attempts that doubles with each consecutive failure, up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    """A delay that doubles with each consecutive failure, from first up to longest."""

    first: timedelta
    longest: timedelta

    def after(self, failures: int) -> timedelta:
        """The delay after this many consecutive failures (1 or more)."""
        delay = self.first
        for _ in range(failures - 1):
            if delay >= self.longest:
                break
            delay *= 2
        return min(delay, self.longest)
