"""Exclusions: intervals whose readings count neither good nor bad."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.instants import to_epoch_us


class ExclusionKind(Enum):
    """Why an interval is excluded."""

    SCHEDULED_MAINTENANCE = "scheduled_maintenance"
    CUSTOMER_CAUSED = "customer_caused"
    FORCE_MAJEURE = "force_majeure"
    OTHER = "other"


@dataclass(frozen=True)
class Exclusion:
    """[start, end) excluded for the listed objectives (all objectives when none are listed)."""

    exclusion_id: str
    start: datetime
    end: datetime
    kind: ExclusionKind
    reason: str
    evidence: str = ""
    objective_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective_ids", tuple(self.objective_ids))

    def applies_to(self, objective_id: str) -> bool:
        """Whether the exclusion covers this objective."""
        return not self.objective_ids or objective_id in self.objective_ids


def excluded_intervals_us(
    exclusions: Iterable[Exclusion], objective_id: str
) -> list[tuple[int, int]]:
    """Merged [start, end) intervals, in epoch microseconds, excluded for one objective."""
    spans = sorted(
        (to_epoch_us(e.start), to_epoch_us(e.end)) for e in exclusions if e.applies_to(objective_id)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
