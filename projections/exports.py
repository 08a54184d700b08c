"""CSV export of the credit ledger for finance."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import Engine

from domain.display import shown_policy_line
from projections.ledger_views import from_minor_units
from projections.queries import CreditFilter, list_credits

COLUMNS = (
    "position",
    "recorded_at",
    "agreement_id",
    "customer_id",
    "provider_id",
    "objective_id",
    "period_label",
    "window_start",
    "kind",
    "amount",
    "currency",
    "policy_line",
    "state",
    "invoice_references",
)


def utc_text(instant: datetime) -> str:
    """An instant in ISO 8601 with its UTC offset (+00:00), whatever the backend gave back:
    SQLite keeps no offset (a naive value read back is UTC), PostgreSQL answers in the
    session's time zone."""
    aware = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    return aware.isoformat()


def write_credits_csv(engine: Engine, where: CreditFilter, output: TextIO) -> int:
    """Write every matching credit line, in log order, as CSV; the number of lines written.

    state is where the line's credit stands now ("" for bonuses), invoice_references the
    invoices its settlements were applied to ("reference date; ..." in log order)."""
    writer = csv.writer(output)
    writer.writerow(COLUMNS)
    written, after = 0, 0
    while rows := list_credits(engine, where, after, 1000):
        for row in rows:
            writer.writerow(
                (
                    row.position,
                    utc_text(row.recorded_at),
                    row.agreement_id,
                    row.customer_id,
                    row.provider_id,
                    row.objective_id,
                    row.period_label,
                    utc_text(row.window_start),
                    row.kind,
                    str(from_minor_units(row.amount_minor, row.currency).amount),
                    row.currency,
                    shown_policy_line(row.policy_line),
                    row.state,
                    row.invoice_references,
                )
            )
        written += len(rows)
        after = rows[-1].position
    return written
