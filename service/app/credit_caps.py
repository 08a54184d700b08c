"""The cap across objectives on every path that issues or changes a credit: a close's or a
recalculation's events are followed, in the same append, by the CreditCapped entries of the fee
periods their credits count toward (domain/credit_cap_periods.py).

Terms without credit_cap cost nothing: no read, no event. With one, the period streams that may
hold the credits of the fee periods a change touches are read once, in one read for all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from domain.agreement import Agreement
from domain.credit_cap_periods import cap_entries, touched_fee_periods
from domain.period_results import PeriodClosed, PeriodEvent
from service.app.event_log import EventLog


def with_caps(
    log: EventLog,
    events: Sequence[PeriodEvent],
    view_of: Callable[[str], Agreement | None],
    closes: Mapping[str, PeriodClosed] | None = None,
) -> list[PeriodEvent]:
    """events followed by the CreditCapped entries their credit changes lead to (arguments as
    domain.credit_cap_periods.touched_fee_periods takes them)."""
    groups = touched_fee_periods(events, view_of, closes)
    if not groups:
        return list(events)
    wanted = list(dict.fromkeys(s for group in groups for s in group.streams))
    stored: dict[str, list[PeriodEvent]] = {}
    for notification in log.stream_notifications(wanted):
        event = log.decode(notification)
        stored.setdefault(event.originator_id, []).append(event)
    return [*events, *cap_entries(groups, stored, events, events[-1].timestamp)]
