"""The credit-lifecycle read model's tables (projections/credit_lifecycle_views.py).

Every agreement's customer ("" for a service SLA), one row per money event of a credit's period
stream, and one row per credit with its state now. Instants as microseconds since the epoch are
what the as_of / known_at filter compares; recorded_at is kept as a time too, for exports.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table, Text

from domain.credit_balances import BUCKETS
from projections.table_metadata import metadata

credit_parties = Table(
    "projected_credit_parties",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),  # "" for a service SLA
    Column("position", BigInteger, nullable=False),
)

credit_events = Table(
    "projected_credit_events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    # The period's customer: the subscriber the event names, else the agreement's customer.
    Column("customer_id", String(128), nullable=False),
    Column("objective_id", String(128), nullable=False),
    Column("period_label", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(32), nullable=False),  # period_closed, credit_issued, credit_claimed...
    # The event's main amount in whole minor units (issued, delta, claimed, approved, forfeited,
    # settled; 0 for a close), for whoever reads the table; the fold reads fields.
    Column("amount_minor", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at_us", BigInteger, nullable=False),
    # domain/credit_lifecycle.py effective_at: the business instant the event counts from.
    Column("effective_at_us", BigInteger, nullable=False),
    # The event's fields as stored (JSON, projections/credit_event_codec.py), to fold it again.
    Column("fields", Text, nullable=False),
    Index(
        "ix_projected_credit_events_credit",
        "customer_id",
        "currency",
        "agreement_id",
        "objective_id",
        "period_label",
        "position",
    ),
    Index(
        "ix_projected_credit_events_period",
        "agreement_id",
        "objective_id",
        "period_label",
        "customer_id",
    ),
)

# The fold of every money event of a credit recorded so far: its state now.
credit_states = Table(
    "projected_credit_states",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("customer_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("period_label", String(16), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # domain/credit_lifecycle.py CreditStatus
    # Each amount of the state (earned, eligible, ..., outstanding) in whole minor units.
    *(Column(f"{bucket}_minor", BigInteger, nullable=False) for bucket in BUCKETS),
    # The invoices its settlements were applied to, in log order: "reference date; ...".
    Column("invoice_references", Text, nullable=False),
    Column("position", BigInteger, nullable=False),  # log position of its last money event
    Index("ix_projected_credit_states_customer", "customer_id", "currency", "status"),
)

CREDIT_LIFECYCLE_TABLES = (credit_parties, credit_events, credit_states)
