"""Balances by state from the credit-lifecycle read model, and the credit states it holds.

A balance at (as_of, known_at) selects the money-event rows recorded by known_at whose
effective instant is at or before as_of (the rule of domain/credit_balances.py counts_at, on
the instants each row stores), reads them credit by credit in log order, folds each credit with
domain/credit_lifecycle.py credit_state and sums the folds per customer and currency. Rows are
streamed: one credit's rows are held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Engine, func, select

from domain.credit_balances import BUCKETS, BalanceSums, StateBalance
from domain.credit_lifecycle import credit_state
from domain.instants import to_epoch_us
from projections.credit_event_codec import decode_fields
from projections.credit_lifecycle_tables import credit_events, credit_states
from projections.ledger_views import from_minor_units

STREAM_ROWS = 1000  # rows fetched at a time


def balances_by_state(
    engine: Engine,
    as_of: datetime,
    known_at: datetime,
    customer_id: str = "",
    currency: str = "",
) -> list[StateBalance]:
    """Balances by state per customer and currency (optionally of one customer, one currency),
    by customer then currency."""
    c = credit_events.c
    query = select(
        c.agreement_id, c.customer_id, c.objective_id, c.period_label, c.kind, c.fields
    ).where(c.recorded_at_us <= to_epoch_us(known_at), c.effective_at_us <= to_epoch_us(as_of))
    if customer_id:
        query = query.where(c.customer_id == customer_id)
    if currency:
        query = query.where(c.currency == currency)
    query = query.order_by(
        c.customer_id, c.currency, c.agreement_id, c.objective_id, c.period_label, c.position
    )
    sums = BalanceSums()
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=STREAM_ROWS).execute(query)
        for (_, customer, _, _), credit in groupby(rows, key=_credit):
            state = credit_state(_events(credit))
            if state is not None:
                sums.add(customer, state)
    return sums.balances()


def balances_now(engine: Engine, customer_id: str = "", currency: str = "") -> list[StateBalance]:
    """Balances by state of every money event the read model holds: the sums of the credits'
    state rows (each the fold of all of its credit's events), exact in whole minor units, by
    customer then currency. What balances_by_state gives at an as_of and known_at after every
    event, without reading the events."""
    s = credit_states.c
    sums = [func.sum(s[f"{bucket}_minor"]) for bucket in BUCKETS]
    query = select(s.customer_id, s.currency, *sums).group_by(s.customer_id, s.currency)
    if customer_id:
        query = query.where(s.customer_id == customer_id)
    if currency:
        query = query.where(s.currency == currency)
    query = query.order_by(s.customer_id, s.currency)
    balances = []
    with engine.connect() as connection:
        for customer, code, *minor in connection.execute(query):
            amounts: dict[str, Any] = {
                bucket: from_minor_units(int(total), code)
                for bucket, total in zip(BUCKETS, minor, strict=True)
            }
            balances.append(StateBalance(customer, code, **amounts))
    return balances


def _credit(row: Any) -> tuple[str, str, str, str]:
    return (row.agreement_id, row.customer_id, row.objective_id, row.period_label)


def _events(rows: Iterator[Any]) -> Iterator[Any]:
    return (decode_fields(row.kind, row.fields) for row in rows)
