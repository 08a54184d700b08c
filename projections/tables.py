"""The read-model tables, in SQLAlchemy Core; rows derived from events are keyed by log position."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

agreements = Table(
    "projected_agreements",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("provider_id", String(128), nullable=False),
    Column("position", BigInteger, nullable=False),
)

periods = Table(
    "projected_periods",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("period_label", String(16), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False),
)

breaches = Table(
    "projected_breaches",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("provider_id", String(128), nullable=False),
    Column("objective_id", String(128), nullable=False),
    Column("period_label", String(16), nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("track", String(32), nullable=False),
    Column("attained", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("terms_version", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("retracted", Boolean, nullable=False),
    Index("ix_projected_breaches_agreement", "agreement_id", "objective_id", "period_label"),
    Index("ix_projected_breaches_customer", "customer_id"),
)

credit_lines = Table(
    "projected_credit_lines",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("provider_id", String(128), nullable=False),
    Column("objective_id", String(128), nullable=False),
    Column("period_label", String(16), nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    # Exact: amounts are whole minor units of the currency (cents for EUR, yen for JPY).
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("policy_line", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_projected_credit_lines_customer", "customer_id", "currency"),
    Index("ix_projected_credit_lines_agreement", "agreement_id"),
)

reading_rollups = Table(
    "projected_reading_rollups",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("objective_id", String(128), nullable=False),
    Column("day_us", BigInteger, nullable=False),
    Column("first_bucket_us", BigInteger, nullable=False),
    Column("last_bucket_us", BigInteger, nullable=False),
    Column("recorded_at_us", BigInteger, nullable=False),
    Column("totals", Text, nullable=False),
    Column("sums", Text, nullable=False),
    Index("ix_projected_reading_rollups_window", "agreement_id", "objective_id", "day_us"),
)

# A cache of the log rather than a read model: an event's encoding depends only on the event and
# the public schema, so rebuilding read models keeps it. A change to how events map to the
# public schema must bump the version in the table's name (and the projection's).
encoded_events = Table(
    "encoded_events_v2",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("event_type", String(64), nullable=False),
    # The event in the public schema, serialized once so that streams send it as it is.
    Column("encoded", LargeBinary, nullable=False),
    Index("ix_encoded_events_v2_agreement", "agreement_id", "position"),
)

READ_MODEL_TABLES = (agreements, periods, breaches, credit_lines, reading_rollups)
CACHE_TABLES = (encoded_events,)
