"""Exclusions: intervals whose readings count neither good nor bad.

How an exclusion counts: a reading observed inside an exclusion that applies to its objective
is excluded (ExcludedSpans.contains); compliance.py tallies such a reading as excluded rather
than good or bad, and the rollups take a bucket wholly inside one as excluded
(ExcludedSpans.overlap).
"""

from __future__ import annotations

import bisect
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
    customer_id: str = ""  # a service SLA's exclusion for one subscriber only; "" for all

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective_ids", tuple(self.objective_ids))

    def __deepcopy__(self, memo: dict[int, object]) -> Exclusion:
        return self  # immutable: copies of an agreement share their exclusions

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


class ExcludedSpans:
    """The merged [start, end) spans (epoch µs) excluded for one objective, and lookups in them."""

    def __init__(self, exclusions: Iterable[Exclusion], objective_id: str) -> None:
        self.spans = excluded_intervals_us(exclusions, objective_id)
        self._starts = [span[0] for span in self.spans]

    def contains(self, at_us: int) -> bool:
        """Whether the instant at_us is excluded."""
        index = bisect.bisect_right(self._starts, at_us) - 1
        return index >= 0 and at_us < self.spans[index][1]

    def overlap(self, first_us: int, last_us: int) -> bool | None:
        """How the spans meet the instants first_us to last_us (both included): None when
        none of them is excluded, True when all are, False when only some are."""
        index = bisect.bisect_right(self._starts, last_us) - 1
        if index < 0 or self.spans[index][1] <= first_us:
            return None
        start, end = self.spans[index]
        return start <= first_us and end > last_us
