"""What a mapping could not carry across: one line each, reported rather than dropped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unmapped:
    """One field (or document) the other side has no place for, and what became of it."""

    where: str  # "objective availability", "document 2 (SLO api-latency)", "agreement"
    what: str  # the field and what became of it

    def line(self) -> str:
        """The line written on standard error."""
        return f"not mapped: {self.where}: {self.what}"
