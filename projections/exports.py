"""CSV export of the credit ledger for finance."""

from __future__ import annotations

import csv
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
)


def write_credits_csv(engine: Engine, where: CreditFilter, output: TextIO) -> int:
    """Write every matching credit line, in log order, as CSV; the number of lines written."""
    writer = csv.writer(output)
    writer.writerow(COLUMNS)
    written, after = 0, 0
    while rows := list_credits(engine, where, after, 1000):
        for row in rows:
            writer.writerow(
                (
                    row.position,
                    row.recorded_at.isoformat(),
                    row.agreement_id,
                    row.customer_id,
                    row.provider_id,
                    row.objective_id,
                    row.period_label,
                    row.window_start.isoformat(),
                    row.kind,
                    str(from_minor_units(row.amount_minor, row.currency).amount),
                    row.currency,
                    shown_policy_line(row.policy_line),
                )
            )
        written += len(rows)
        after = rows[-1].position
    return written
