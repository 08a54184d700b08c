"""Queries of the breaches and credit-ledger read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, case, func, select

from projections.credit_lifecycle_tables import credit_states
from projections.tables import breaches, credit_lines


@dataclass(frozen=True)
class BreachFilter:
    """Which breaches to list; empty fields do not filter."""

    agreement_id: str = ""
    customer_id: str = ""
    provider_id: str = ""
    objective_id: str = ""
    period_start_from: datetime | None = None
    period_start_before: datetime | None = None
    retracted: bool | None = None


@dataclass(frozen=True)
class CreditFilter:
    """Which credit lines to list; empty fields do not filter."""

    agreement_id: str = ""
    customer_id: str = ""
    provider_id: str = ""
    currency: str = ""
    period_start_from: datetime | None = None
    period_start_before: datetime | None = None
    # Only lines of credits now in one of these states (CreditStatus values); empty: every line.
    # Left out of repr, so that the page tokens of a listing without states (bound to the
    # filter's repr) stay what they were before the field existed.
    states: tuple[str, ...] = field(default=(), repr=False)


def list_breaches(
    engine: Engine, where: BreachFilter, after_position: int, limit: int
) -> Sequence[Row[Any]]:
    """Breaches after a log position, in log order."""
    query = select(breaches).where(breaches.c.position > after_position)
    for column, value in (
        (breaches.c.agreement_id, where.agreement_id),
        (breaches.c.customer_id, where.customer_id),
        (breaches.c.provider_id, where.provider_id),
        (breaches.c.objective_id, where.objective_id),
    ):
        if value:
            query = query.where(column == value)
    if where.period_start_from is not None:
        query = query.where(breaches.c.window_start >= where.period_start_from)
    if where.period_start_before is not None:
        query = query.where(breaches.c.window_start < where.period_start_before)
    if where.retracted is not None:
        query = query.where(breaches.c.retracted == where.retracted)
    with engine.connect() as connection:
        return connection.execute(query.order_by(breaches.c.position).limit(limit)).all()


def list_credits(
    engine: Engine, where: CreditFilter, after_position: int, limit: int
) -> Sequence[Row[Any]]:
    """Credit lines after a log position, in log order, each with its credit's state now and
    the invoices it was settled against (state "" for bonus lines, and for a credit the
    lifecycle read model has not reached yet)."""
    s = credit_states.c
    state = func.coalesce(s.status, "").label("state")
    invoices = func.coalesce(s.invoice_references, "").label("invoice_references")
    joined = credit_lines.outerjoin(
        credit_states,
        (s.agreement_id == credit_lines.c.agreement_id)
        & (s.customer_id == credit_lines.c.customer_id)
        & (s.objective_id == credit_lines.c.objective_id)
        & (s.period_label == credit_lines.c.period_label)
        & ~credit_lines.c.kind.like("bonus%"),
    )
    query = (
        select(credit_lines, state, invoices)
        .select_from(joined)
        .where(credit_lines.c.position > after_position)
    )
    for column, value in (
        (credit_lines.c.agreement_id, where.agreement_id),
        (credit_lines.c.customer_id, where.customer_id),
        (credit_lines.c.provider_id, where.provider_id),
        (credit_lines.c.currency, where.currency),
    ):
        if value:
            query = query.where(column == value)
    if where.period_start_from is not None:
        query = query.where(credit_lines.c.window_start >= where.period_start_from)
    if where.period_start_before is not None:
        query = query.where(credit_lines.c.window_start < where.period_start_before)
    if where.states:
        query = query.where(s.status.in_(where.states))
    with engine.connect() as connection:
        return connection.execute(query.order_by(credit_lines.c.position).limit(limit)).all()


@dataclass(frozen=True)
class Balance:
    """Net credits owed to a customer and net bonuses owed by it, in minor units of a currency."""

    customer_id: str
    currency: str
    credits_minor: int
    bonuses_minor: int


def credit_balances(engine: Engine, customer_id: str = "", currency: str = "") -> list[Balance]:
    """Balances per customer and currency, exact sums of whole minor units."""
    is_bonus = credit_lines.c.kind.like("bonus%")
    query = select(
        credit_lines.c.customer_id,
        credit_lines.c.currency,
        func.sum(case((is_bonus, 0), else_=credit_lines.c.amount_minor)),
        func.sum(case((is_bonus, credit_lines.c.amount_minor), else_=0)),
    ).group_by(credit_lines.c.customer_id, credit_lines.c.currency)
    if customer_id:
        query = query.where(credit_lines.c.customer_id == customer_id)
    if currency:
        query = query.where(credit_lines.c.currency == currency)
    query = query.order_by(credit_lines.c.customer_id, credit_lines.c.currency)
    with engine.connect() as connection:
        return [
            Balance(row[0], row[1], int(row[2] or 0), int(row[3] or 0))
            for row in connection.execute(query)
        ]
