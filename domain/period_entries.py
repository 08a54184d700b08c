"""The breach and credit lines of a closed objective-period, read from its stream's events.

GetCompliance lists them for the periods ended by as_of (domain/compliance_report.py) and
ListPeriodResults for each period it lists (domain/period_history.py); both read them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.credit_caps import CreditCapped
from domain.money import Money
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodEvent,
)


@dataclass(frozen=True)
class BreachEntry:
    """A breach the ledger recorded for a closed period."""

    objective_id: str
    period_label: str
    track: str
    attained: Decimal | None
    target: Decimal
    terms_version: int
    recorded_at: datetime
    retracted: bool


@dataclass(frozen=True)
class CreditEntry:
    """One credit or bonus line: issued, or adjusted by a recalculation (amount is the change)."""

    objective_id: str
    period_label: str
    kind: str
    amount: Money
    policy_line: str
    recorded_at: datetime


def breached_tracks(events: Iterable[PeriodEvent]) -> set[str]:
    """The tracks breached after the events: detected and not retracted since."""
    tracks: set[str] = set()
    for event in events:
        if isinstance(event, BreachDetected):
            tracks.add(event.track)
        elif isinstance(event, BreachRetracted):
            tracks.discard(event.track)
    return tracks


def breach_entries(events: Sequence[PeriodEvent]) -> list[BreachEntry]:
    """The breaches of one period's events (in log order); a track's breach is retracted when
    a recalculation retracted it and no later one detected it again."""
    standing = breached_tracks(events)
    retracted = {e.track for e in events if isinstance(e, BreachRetracted)}
    return [
        BreachEntry(
            event.objective_id,
            event.period_label,
            event.track,
            event.attained,
            event.target,
            event.terms_version,
            event.timestamp,
            event.track in retracted and event.track not in standing,
        )
        for event in events
        if isinstance(event, BreachDetected)
    ]


def credit_entry(event: PeriodEvent) -> CreditEntry | None:
    """The credit or bonus line an event is; None for any other event."""
    key = (event.objective_id, event.period_label)
    if isinstance(event, CreditIssued | BonusEarned):
        kind = "credit_issued" if isinstance(event, CreditIssued) else "bonus_earned"
        return CreditEntry(*key, kind, event.amount, event.policy_line, event.timestamp)
    if isinstance(event, CreditAdjusted | BonusAdjusted):
        kind = "credit_adjusted" if isinstance(event, CreditAdjusted) else "bonus_adjusted"
        return CreditEntry(*key, kind, event.delta, event.policy_line, event.timestamp)
    if isinstance(event, CreditCapped):
        return CreditEntry(
            *key, "credit_capped", event.delta, event.allocation_line, event.timestamp
        )
    return None
