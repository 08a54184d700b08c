"""The credit-lifecycle read model: each credit's money events as rows, and its state now.

A credit's rows are what balances at any (as_of, known_at) are folded from
(projections/credit_balance_queries.py); its state row, the fold of all of them, is what
ListCredits filters by. Both are folded by domain/credit_lifecycle.py credit_state, the one fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, delete, select

from domain.agreement import Agreement
from domain.claims import CreditSettled
from domain.credit_balances import BUCKETS, MONEY_EVENTS, CreditKey, credit_key
from domain.credit_lifecycle import credit_state, effective_at
from domain.instants import to_epoch_us
from domain.period_results import PeriodClosed, PeriodEvent
from projections.credit_event_codec import KIND_OF, decode_fields, encode_fields, main_amount
from projections.credit_lifecycle_tables import (
    CREDIT_LIFECYCLE_TABLES,
    credit_events,
    credit_parties,
    credit_states,
)
from projections.ledger_views import to_minor_units

_TOPICS: tuple[type, ...] = (Agreement.Signed, *MONEY_EVENTS)


class CreditLifecycleViews:
    """Projects agreements' customers, credits' money events and credits' states."""

    name = "credit_lifecycle_v1"
    tables: tuple[Table, ...] = CREDIT_LIFECYCLE_TABLES
    topics = frozenset(get_topic(cls) for cls in _TOPICS)

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Insert the batch's rows, then fold again every credit the batch touched."""
        batch = _Batch(connection)
        for position, event in events:
            batch.add(position, event)
        batch.flush()


class _Batch:
    """Rows of one batch and the credits it touched, with its context lookups."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._parties: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._customers: dict[str, str] = {}
        self._window_ends: dict[CreditKey, datetime] = {}
        # The credits touched, with their events of this batch; closed in this batch: fresh.
        self._touched: dict[CreditKey, list[tuple[int, PeriodEvent]]] = {}
        self._fresh: set[CreditKey] = set()

    def add(self, position: int, event: Any) -> None:
        """Queue what one event changes."""
        if isinstance(event, Agreement.Signed):
            customer = event.terms.customer.party_id
            self._customers[event.agreement_id] = customer
            self._parties.append(
                {"agreement_id": event.agreement_id, "customer_id": customer, "position": position}
            )
            return
        key = credit_key(event, self._customer_of(event.agreement_id))
        if isinstance(event, PeriodClosed):
            self._window_ends[key] = event.window_end
            self._fresh.add(key)
        amount = main_amount(event)
        currency = event.period_fee.currency if isinstance(event, PeriodClosed) else None
        self._rows.append(
            {
                "position": position,
                "agreement_id": key[0],
                "customer_id": key[1],
                "objective_id": key[2],
                "period_label": key[3],
                "currency": amount.currency if amount is not None else currency,
                "kind": KIND_OF[type(event)],
                "amount_minor": 0 if amount is None else to_minor_units(amount),
                "recorded_at": event.timestamp,
                "recorded_at_us": to_epoch_us(event.timestamp),
                "effective_at_us": to_epoch_us(effective_at(event, self._window_end(key))),
                "fields": encode_fields(event),
            }
        )
        self._touched.setdefault(key, []).append((position, event))

    def flush(self) -> None:
        """Insert the rows, then replace the state of every credit touched."""
        for table, rows in ((credit_parties, self._parties), (credit_events, self._rows)):
            if rows:
                self._connection.execute(table.insert(), rows)
        states = []
        for key, batch_events in self._touched.items():
            if key in self._fresh:
                events = batch_events
            else:
                events = self._stored_events(key)
                self._connection.execute(
                    delete(credit_states).where(*_is_credit(credit_states, key))
                )
            row = _state_row(key, events)
            if row is not None:
                states.append(row)
        if states:
            self._connection.execute(credit_states.insert(), states)

    def _customer_of(self, agreement_id: str) -> str:
        customer = self._customers.get(agreement_id)
        if customer is None:
            customer = self._customers[agreement_id] = self._connection.execute(
                select(credit_parties.c.customer_id).where(
                    credit_parties.c.agreement_id == agreement_id
                )
            ).scalar_one()
        return customer

    def _window_end(self, key: CreditKey) -> datetime:
        window_end = self._window_ends.get(key)
        if window_end is None:
            fields = self._connection.execute(
                select(credit_events.c.fields).where(
                    *_is_credit(credit_events, key),
                    credit_events.c.kind == KIND_OF[PeriodClosed],
                )
            ).scalar_one()
            closed = decode_fields(KIND_OF[PeriodClosed], fields)
            assert isinstance(closed, PeriodClosed)
            window_end = self._window_ends[key] = closed.window_end
        return window_end

    def _stored_events(self, key: CreditKey) -> list[tuple[int, PeriodEvent]]:
        c = credit_events.c
        rows = self._connection.execute(
            select(c.position, c.kind, c.fields)
            .where(*_is_credit(credit_events, key))
            .order_by(c.position)
        )
        return [(row.position, decode_fields(row.kind, row.fields)) for row in rows]


def _is_credit(table: Table, key: CreditKey) -> tuple[Any, ...]:
    """The where clauses of a credit's rows in credit_events or credit_states."""
    c = table.c
    return (
        c.agreement_id == key[0],
        c.customer_id == key[1],
        c.objective_id == key[2],
        c.period_label == key[3],
    )


def _state_row(key: CreditKey, events: Sequence[tuple[int, PeriodEvent]]) -> dict[str, Any] | None:
    """The state row of a credit from its money events (position, event), in log order."""
    state = credit_state(event for _, event in events)
    if state is None:
        return None
    invoices = "; ".join(
        f"{e.invoice_reference} {e.invoice_date}".strip()
        for _, e in events
        if isinstance(e, CreditSettled) and e.method == "invoice"
    )
    return {
        "agreement_id": key[0],
        "customer_id": key[1],
        "objective_id": key[2],
        "period_label": key[3],
        "currency": state.currency,
        "status": str(state.status.value),
        **{f"{b}_minor": to_minor_units(getattr(state, b)) for b in BUCKETS},
        "invoice_references": invoices,
        "position": events[-1][0],
    }
