"""The breaches and credit-ledger read models: how each event changes their rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, select, update

from domain.agreement import Agreement
from domain.credit_caps import CreditCapped
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
    CreditCapped: "credit_capped",
}


def to_minor_units(money: Money) -> int:
    """A rounded amount as a whole number of the currency's minor units."""
    return int(money.amount.scaleb(money.minor_unit))


def from_minor_units(amount: int, currency: str) -> Money:
    """The Money for a whole number of minor units."""
    return Money(Decimal(amount).scaleb(-MINOR_UNITS[currency]), currency)


class LedgerViews:
    """Projects agreements' parties, closed periods, breaches and credit lines.

    Every period, breach and credit row names the customer whose result it is: the agreement's
    customer, or for a service SLA (whose customer is "") the subscriber the period event names,
    so a subscriber's credits, balances and breaches read as a customer-based agreement's do.
    """

    name = "ledger_views_v2"  # the version of the tables' names (projections/tables.py)
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
        self._windows: dict[tuple[str, str, str, str], tuple[datetime, datetime]] = {}

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
            customer = self._customer(event)
            key = (event.agreement_id, customer, event.objective_id, event.period_label)
            self._windows[key] = (event.window_start, event.window_end)
            self._rows[periods].append(
                {
                    "agreement_id": event.agreement_id,
                    "customer_id": customer,
                    "objective_id": event.objective_id,
                    "period_label": event.period_label,
                    "window_start": event.window_start,
                    "window_end": event.window_end,
                    "tier_id": event.tier_id,
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
            adjusted = isinstance(event, CreditAdjusted | BonusAdjusted | CreditCapped)
            amount = event.delta if adjusted else event.amount
            line = event.allocation_line if isinstance(event, CreditCapped) else event.policy_line
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
                    "policy_line": line,
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
                    breaches.c.customer_id == self._customer(event),
                    breaches.c.objective_id == event.objective_id,
                    breaches.c.period_label == event.period_label,
                    breaches.c.track == event.track,
                    breaches.c.position < position,
                )
                .values(retracted=True)
            )

    def _parties_of(self, agreement_id: str) -> tuple[str, str]:
        """The agreement's (customer, provider): "" for a service SLA's customer."""
        parties = self._parties.get(agreement_id)
        if parties is None:
            row = self._connection.execute(
                select(agreements.c.customer_id, agreements.c.provider_id).where(
                    agreements.c.agreement_id == agreement_id
                )
            ).one()
            parties = self._parties[agreement_id] = (row[0], row[1])
        return parties

    def _customer(self, event: PeriodEvent) -> str:
        """Whose period the event is of: the subscriber it names, else the agreement's customer."""
        return event.customer_id or self._parties_of(event.agreement_id)[0]

    def _context(self, event: PeriodEvent) -> tuple[tuple[str, str], tuple[datetime, datetime]]:
        """The (customer, provider) of the event's period, and the period's window."""
        customer = self._customer(event)
        parties = (customer, self._parties_of(event.agreement_id)[1])
        key = (event.agreement_id, customer, event.objective_id, event.period_label)
        window = self._windows.get(key)
        if window is None:
            row = self._connection.execute(
                select(periods.c.window_start, periods.c.window_end).where(
                    periods.c.agreement_id == key[0],
                    periods.c.customer_id == key[1],
                    periods.c.objective_id == key[2],
                    periods.c.period_label == key[3],
                )
            ).one()
            window = self._windows[key] = (row[0], row[1])
        return parties, window
