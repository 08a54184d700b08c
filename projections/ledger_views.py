"""The breaches and credit-ledger read models: how each event changes their rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, select, update

from domain.agreement import Agreement
from domain.money import MINOR_UNITS, Money
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodEvent,
)
from projections.tables import agreements, breaches, credit_lines, periods

CREDIT_KINDS: dict[type, str] = {
    CreditIssued: "credit_issued",
    CreditAdjusted: "credit_adjusted",
    BonusEarned: "bonus_earned",
    BonusAdjusted: "bonus_adjusted",
}


def to_minor_units(money: Money) -> int:
    """A rounded amount as a whole number of the currency's minor units."""
    return int(money.amount.scaleb(money.minor_unit))


def from_minor_units(amount: int, currency: str) -> Money:
    """The Money for a whole number of minor units."""
    return Money(Decimal(amount).scaleb(-MINOR_UNITS[currency]), currency)


class LedgerViews:
    """Projects agreements' parties, closed periods, breaches and credit lines."""

    name = "ledger_views"
    tables: tuple[Table, ...] = (agreements, periods, breaches, credit_lines)
    # Only these events change the views; the runner need not decode any other.
    topics = frozenset(
        get_topic(cls)
        for cls in (
            Agreement.Signed,
            PeriodClosed,
            BreachDetected,
            BreachRetracted,
            *CREDIT_KINDS,
        )
    )

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Apply a batch of events in log order with one insert per table.

        Every insert only adds rows; a retraction only marks rows of lower positions. So
        inserting the whole batch first and then applying its retractions gives the same rows
        as applying the events one by one.
        """
        batch = _Batch(connection)
        for position, event in events:
            batch.add(position, event)
        batch.flush()


class _Batch:
    """Rows to insert and retractions to apply for one batch, with its context lookups."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: dict[Any, list[dict[str, Any]]] = {
            agreements: [],
            periods: [],
            breaches: [],
            credit_lines: [],
        }
        self._retractions: list[tuple[int, BreachRetracted]] = []
        self._parties: dict[str, tuple[str, str]] = {}
        self._windows: dict[tuple[str, str, str], tuple[datetime, datetime]] = {}

    def add(self, position: int, event: Any) -> None:
        """Queue what one event changes."""
        if isinstance(event, Agreement.Signed):
            parties = (event.terms.customer.party_id, event.terms.provider.party_id)
            self._parties[event.agreement_id] = parties
            self._rows[agreements].append(
                {
                    "agreement_id": event.agreement_id,
                    "customer_id": parties[0],
                    "provider_id": parties[1],
                    "position": position,
                }
            )
        elif isinstance(event, PeriodClosed):
            key = (event.agreement_id, event.objective_id, event.period_label)
            self._windows[key] = (event.window_start, event.window_end)
            self._rows[periods].append(
                {
                    "agreement_id": event.agreement_id,
                    "objective_id": event.objective_id,
                    "period_label": event.period_label,
                    "window_start": event.window_start,
                    "window_end": event.window_end,
                    "position": position,
                }
            )
        elif isinstance(event, BreachDetected):
            parties, window = self._context(event)
            self._rows[breaches].append(
                {
                    "position": position,
                    "agreement_id": event.agreement_id,
                    "customer_id": parties[0],
                    "provider_id": parties[1],
                    "objective_id": event.objective_id,
                    "period_label": event.period_label,
                    "window_start": window[0],
                    "window_end": window[1],
                    "track": event.track,
                    "attained": "" if event.attained is None else str(event.attained),
                    "target": str(event.target),
                    "terms_version": event.terms_version,
                    "recorded_at": event.timestamp,
                    "retracted": False,
                }
            )
        elif isinstance(event, BreachRetracted):
            self._retractions.append((position, event))
        elif type(event) in CREDIT_KINDS:
            parties, window = self._context(event)
            adjusted = isinstance(event, CreditAdjusted | BonusAdjusted)
            amount = event.delta if adjusted else event.amount
            self._rows[credit_lines].append(
                {
                    "position": position,
                    "agreement_id": event.agreement_id,
                    "customer_id": parties[0],
                    "provider_id": parties[1],
                    "objective_id": event.objective_id,
                    "period_label": event.period_label,
                    "window_start": window[0],
                    "kind": CREDIT_KINDS[type(event)],
                    "amount_minor": to_minor_units(amount),
                    "currency": amount.currency,
                    "policy_line": event.policy_line,
                    "recorded_at": event.timestamp,
                }
            )

    def flush(self) -> None:
        """Insert every queued row, then apply the retractions."""
        for table, rows in self._rows.items():
            if rows:
                self._connection.execute(table.insert(), rows)
        for position, event in self._retractions:
            self._connection.execute(
                update(breaches)
                .where(
                    breaches.c.agreement_id == event.agreement_id,
                    breaches.c.objective_id == event.objective_id,
                    breaches.c.period_label == event.period_label,
                    breaches.c.track == event.track,
                    breaches.c.position < position,
                )
                .values(retracted=True)
            )

    def _context(self, event: PeriodEvent) -> tuple[tuple[str, str], tuple[datetime, datetime]]:
        parties = self._parties.get(event.agreement_id)
        if parties is None:
            row = self._connection.execute(
                select(agreements.c.customer_id, agreements.c.provider_id).where(
                    agreements.c.agreement_id == event.agreement_id
                )
            ).one()
            parties = self._parties[event.agreement_id] = (row[0], row[1])
        key = (event.agreement_id, event.objective_id, event.period_label)
        window = self._windows.get(key)
        if window is None:
            row = self._connection.execute(
                select(periods.c.window_start, periods.c.window_end).where(
                    periods.c.agreement_id == key[0],
                    periods.c.objective_id == key[1],
                    periods.c.period_label == key[2],
                )
            ).one()
            window = self._windows[key] = (row[0], row[1])
        return parties, window
