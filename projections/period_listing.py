"""The closed objective-periods read model as an index: which periods a listing holds, in order.

ListPeriodResults finds its periods here (projected_periods_v2, one row per PeriodClosed) in
(window start, agreement, customer, objective, label) order, then folds each one's stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, and_, or_, select

from projections.tables import agreements, periods


@dataclass(frozen=True)
class PeriodFilter:
    """Which closed periods to list; empty fields do not filter."""

    agreement_id: str = ""
    customer_id: str = ""
    objective_id: str = ""
    window_start_from: datetime | None = None
    window_start_to: datetime | None = None


@dataclass(frozen=True, order=True)
class PeriodKey:
    """Where a period stands in the listing's order."""

    window_start: datetime
    agreement_id: str
    customer_id: str
    objective_id: str
    period_label: str


@dataclass(frozen=True)
class ListedPeriod:
    """One row of the index: the period's key, whether it is a service SLA subscriber's, and the
    log position of its close."""

    key: PeriodKey
    of_subscriber: bool
    position: int


def list_periods(
    engine: Engine, where: PeriodFilter, after: PeriodKey | None, limit: int, up_to: int
) -> list[ListedPeriod]:
    """Up to limit periods closed at or before log position up_to, after the key after, in order."""
    p = periods.c
    query = (
        select(
            p.window_start,
            p.agreement_id,
            p.customer_id,
            p.objective_id,
            p.period_label,
            p.position,
            agreements.c.customer_id.label("agreement_customer"),
        )
        .select_from(periods.join(agreements, agreements.c.agreement_id == p.agreement_id))
        .where(p.position <= up_to)
    )
    for column, value in (
        (p.agreement_id, where.agreement_id),
        (p.customer_id, where.customer_id),
        (p.objective_id, where.objective_id),
    ):
        if value:
            query = query.where(column == value)
    if where.window_start_from is not None:
        query = query.where(p.window_start >= _utc(where.window_start_from))
    if where.window_start_to is not None:
        query = query.where(p.window_start < _utc(where.window_start_to))
    if after is not None:
        query = query.where(_after(after))
    query = query.order_by(
        p.window_start, p.agreement_id, p.customer_id, p.objective_id, p.period_label
    ).limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        ListedPeriod(
            PeriodKey(
                _utc(row.window_start),
                row.agreement_id,
                row.customer_id,
                row.objective_id,
                row.period_label,
            ),
            of_subscriber=row.agreement_customer == "",
            position=row.position,
        )
        for row in rows
    ]


def _after(key: PeriodKey) -> ColumnElement[bool]:
    """Rows after key in the listing's order."""
    p = periods.c
    columns = (p.window_start, p.agreement_id, p.customer_id, p.objective_id, p.period_label)
    values = (
        _utc(key.window_start),
        key.agreement_id,
        key.customer_id,
        key.objective_id,
        key.period_label,
    )
    terms = []
    for index, column in enumerate(columns):
        equal = [c == v for c, v in zip(columns[:index], values[:index], strict=True)]
        terms.append(and_(*equal, column > values[index]))
    return or_(*terms)


def _utc(instant: datetime) -> datetime:
    """The instant in UTC (SQLite stores the wall clock; the log's instants are UTC)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)
