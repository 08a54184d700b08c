"""Which recorded exclusions count, and for whom: the one rule every reader goes through.

An exclusion counts for a customer (the agreement's own customer, "", or a service SLA's
subscriber) when it applies to that customer (the service's own, customer_id "", or the
customer's), was not revoked for it, and either needs no acknowledgement or was acknowledged
for it. A service SLA's service-wide exclusion that needs acknowledgement is acknowledged per
subscriber: it never counts in the tier's shared view (customer "").

Agreement.exclusions holds each exclusion that counts for the customer it names;
visible_exclusions gives what counts for one customer. Readers (evaluation, the oracle, rollups,
subscriber views, closes and recalculations) read only those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

from domain.exclusions import Exclusion


class ExclusionStanding(Enum):
    """Where an exclusion stands for one customer."""

    COUNTS = "counts"  # needed no acknowledgement
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"
    ACKNOWLEDGED = "acknowledged"
    REVOKED = "revoked"


@dataclass(frozen=True)
class RecordedExclusion:
    """An exclusion as recorded, with its acknowledgements and revocations ("" = the agreement's
    customer, or every subscriber for a revocation)."""

    exclusion: Exclusion
    recorded_at: datetime
    acknowledgement_required: bool = False
    acknowledged_for: frozenset[str] = field(default_factory=frozenset)
    revoked_for: frozenset[str] = field(default_factory=frozenset)

    def __deepcopy__(self, memo: dict[int, object]) -> RecordedExclusion:
        return self  # immutable: copies of an agreement share it

    @property
    def record_lag(self) -> timedelta:
        """recorded_at - end: negative when recorded before the exclusion ended."""
        return self.recorded_at - self.exclusion.end

    def acknowledged(self, customer_id: str) -> RecordedExclusion:
        """This exclusion acknowledged for one more customer."""
        return replace(self, acknowledged_for=self.acknowledged_for | {customer_id})

    def revoked(self, customer_id: str) -> RecordedExclusion:
        """This exclusion revoked for one more customer ("" for everyone)."""
        return replace(self, revoked_for=self.revoked_for | {customer_id})

    def standing(self, customer_id: str) -> ExclusionStanding:
        """Where the exclusion stands for customer_id."""
        if "" in self.revoked_for or customer_id in self.revoked_for:
            return ExclusionStanding.REVOKED
        if not self.acknowledgement_required:
            return ExclusionStanding.COUNTS
        if customer_id in self.acknowledged_for:
            return ExclusionStanding.ACKNOWLEDGED
        return ExclusionStanding.AWAITING_ACKNOWLEDGEMENT

    def counts_for(self, customer_id: str) -> bool:
        """Whether the exclusion counts in customer_id's results."""
        if self.exclusion.customer_id not in ("", customer_id):
            return False
        return self.standing(customer_id) in (
            ExclusionStanding.COUNTS,
            ExclusionStanding.ACKNOWLEDGED,
        )


def counted_exclusions(recorded: Iterable[RecordedExclusion]) -> list[Exclusion]:
    """Each exclusion that counts for the customer it names (the service's own: for everyone)."""
    return [r.exclusion for r in recorded if r.counts_for(r.exclusion.customer_id)]


def visible_exclusions(recorded: Iterable[RecordedExclusion], customer_id: str) -> list[Exclusion]:
    """The exclusions that count for one customer ("" for an agreement's own customer, or for a
    service SLA's tier view), in record order."""
    return [r.exclusion for r in recorded if r.counts_for(customer_id)]


def differing_customers(recorded: Iterable[RecordedExclusion]) -> dict[str, list[Exclusion]]:
    """For each customer named by an exclusion, acknowledgement or revocation, the exclusions
    whose counting for it differs from the shared view's (customer "")."""
    found: dict[str, list[Exclusion]] = {}
    for item in recorded:
        named = {item.exclusion.customer_id} | item.acknowledged_for | item.revoked_for
        for customer_id in named - {""}:
            if item.counts_for(customer_id) != item.counts_for(""):
                found.setdefault(customer_id, []).append(item.exclusion)
    return found
