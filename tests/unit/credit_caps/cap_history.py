"""A worked example's log with the cap across objectives applied after each close and
recalculation, as the application applies it (service/app/credit_caps.py), from the log alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.credit_cap_oracle import recorded_reductions, replayed_reductions
from domain.credit_cap_periods import cap_entries, touched_fee_periods
from domain.money import Money
from domain.period_results import PeriodClosed, PeriodEvent
from tests.unit.worked_examples.builders import History


def _caps(
    history: History, new: Sequence[PeriodEvent], closes: dict[str, PeriodClosed] | None = None
) -> list[PeriodEvent]:
    agreement = history.folded().agreement
    groups = touched_fee_periods(new, lambda _customer: agreement, closes)
    stored: dict[str, list[PeriodEvent]] = {}
    for event in history.events:
        if isinstance(event, PeriodEvent) and event not in new:
            stored.setdefault(event.originator_id, []).append(event)
    capped = cap_entries(groups, stored, new, new[-1].timestamp) if new else []
    history.events.extend(capped)
    return list(capped)


def close(history: History, until: datetime) -> list[PeriodEvent]:
    """Close every due period and apply the cap; the new events."""
    new = history.close(until)
    return new + _caps(history, new)


def recalculate(history: History, objective_id: str, label: str) -> list[PeriodEvent]:
    """Recalculate one closed period and apply the cap; the new events."""
    standing = history.folded().period(objective_id, label)
    assert standing is not None
    new = history.recalculate(objective_id, label)
    return new + _caps(history, new, {standing.closed.originator_id: standing.closed})


def period_events(history: History) -> list[PeriodEvent]:
    """The period events of the log, in log order."""
    return [e for e in history.events if isinstance(e, PeriodEvent)]


def reductions(history: History) -> tuple[dict[str, Money], dict[str, Money]]:
    """(what the log's entries take from each credit, what a fresh allocation takes)."""
    events = period_events(history)
    return recorded_reductions(events), replayed_reductions(history.folded().agreement, events)
