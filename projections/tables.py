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
    String,
    Table,
    Text,
)

from projections.agreement_directory_tables import DIRECTORY_TABLES
from projections.credit_lifecycle_tables import CREDIT_LIFECYCLE_TABLES

# Their home is table_metadata (so that other table modules can share them); re-exported here.
from projections.table_metadata import metadata as metadata
from projections.table_metadata import projection_tracking as projection_tracking

# The breaches and credit-ledger read models (projections/ledger_views.py). v2: a service SLA's
# subscribers have their own periods, so periods are keyed by customer too and every row names
# the customer whose result it is (the agreement's customer, or the subscriber). A change to these
# tables' keys or meaning bumps the version in their names and in the projection's name: on start
# the running projections fill the new tables from the log, and tables of an older version are no
# longer read (they may be dropped).
agreements = Table(
    "projected_agreements_v2",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),  # "" for a service SLA
    Column("provider_id", String(128), nullable=False),
    Column("position", BigInteger, nullable=False),
)

# One row per closed objective-period of an agreement or of one subscriber of a service SLA.
periods = Table(
    "projected_periods_v2",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    # Whose period: the agreement's customer, or the subscriber of a service SLA.
    Column("customer_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("period_label", String(16), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("tier_id", String(128), nullable=False),  # the subscriber's tier that judged it, or ""
    Column("position", BigInteger, nullable=False),
)

breaches = Table(
    "projected_breaches_v2",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),  # the period's customer (see periods)
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
    Index(
        "ix_projected_breaches_v2_period",
        "agreement_id",
        "customer_id",
        "objective_id",
        "period_label",
    ),
    Index("ix_projected_breaches_v2_customer", "customer_id"),
)

credit_lines = Table(
    "projected_credit_lines_v2",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),  # the period's customer (see periods)
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
    Index("ix_projected_credit_lines_v2_customer", "customer_id", "currency"),
    Index("ix_projected_credit_lines_v2_agreement", "agreement_id"),
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

# Case objectives (projections/case_judgements.py). A case-objective definition is stored once
# per agreement, objective and terms version; def_version names the first terms version with the
# same definition, and judgements are kept per def_version.
case_definitions = Table(
    "projected_case_definitions",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("terms_version", Integer, primary_key=True, autoincrement=False),
    Column("def_version", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

case_timelines = Table(
    "projected_case_timelines",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(128), nullable=False),
    Column("case_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("occurred_at_us", BigInteger, nullable=False),
    Column("milestone_id", String(128), nullable=False),
    Column("labels", Text, nullable=False),  # JSON, "" for none
    Column("reason", String(64), nullable=False),
    Column("recorded_at_us", BigInteger, nullable=False),
    Index("ix_projected_case_timelines_case", "agreement_id", "case_id", "position"),
)

# One judgement span of a case (domain/case_readings.JudgementSpan) as known from record time
# recorded_from_us until recorded_until_us (NULL: still). final: valid_until NULL and
# valid_after == judged_at, the rows case_judgement_counts sums.
case_judgements = Table(
    "projected_case_judgements",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("def_version", Integer, primary_key=True, autoincrement=False),
    Column("case_id", String(128), primary_key=True),
    Column("recorded_from_us", BigInteger, primary_key=True, autoincrement=False),
    Column("valid_after_us", BigInteger, primary_key=True, autoincrement=False),
    Column("judged_at_us", BigInteger, nullable=False),
    Column("met", Boolean, nullable=False),
    Column("valid_until_us", BigInteger, nullable=True),
    Column("final", Boolean, nullable=False),
    Column("recorded_until_us", BigInteger, nullable=True),
    Index(
        "ix_projected_case_judgements_judged",
        "agreement_id",
        "objective_id",
        "def_version",
        "final",
        "judged_at_us",
    ),
    Index(
        "ix_projected_case_judgements_valid_until",
        "agreement_id",
        "objective_id",
        "def_version",
        "final",
        "valid_until_us",
    ),
    Index(
        "ix_projected_case_judgements_from",
        "agreement_id",
        "objective_id",
        "def_version",
        "recorded_from_us",
    ),
    Index(
        "ix_projected_case_judgements_until",
        "agreement_id",
        "objective_id",
        "def_version",
        "recorded_until_us",
    ),
    Index("ix_projected_case_judgements_case", "agreement_id", "case_id"),
)

# Signed counts of the final judgements per 15-minute bucket of judged_at and hour of record
# time: +1 when a row is recorded, -1 when it is superseded; rows summing to zero are removed.
case_judgement_counts = Table(
    "projected_case_judgement_counts",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("def_version", Integer, primary_key=True, autoincrement=False),
    Column("bucket_us", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_hour_us", BigInteger, primary_key=True, autoincrement=False),
    Column("met", BigInteger, nullable=False),
    Column("judged", BigInteger, nullable=False),
    Index(
        "ix_projected_case_judgement_counts_hour",
        "agreement_id",
        "objective_id",
        "def_version",
        "recorded_hour_us",
    ),
)

# The same counts summed over every record hour, per 15-minute bucket (width_us 900 s) and per
# UTC day (width_us 86,400 s): a window as known now sums whole days and the buckets at its
# edges, less what was recorded from K's hour on.
case_judgement_totals = Table(
    "projected_case_judgement_totals",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("objective_id", String(128), primary_key=True),
    Column("def_version", Integer, primary_key=True, autoincrement=False),
    Column("width_us", BigInteger, primary_key=True, autoincrement=False),
    Column("bucket_us", BigInteger, primary_key=True, autoincrement=False),
    Column("met", BigInteger, nullable=False),
    Column("judged", BigInteger, nullable=False),
)

# Customers' subscriptions to service SLAs (projections/subscription_views.py), one row per
# service and customer, from Subscription.Subscribed, TierChanged and Ended. Instants are UTC.
subscriptions = Table(
    "projected_subscriptions",
    metadata,
    Column("agreement_id", String(128), primary_key=True),  # the service SLA
    Column("customer_id", String(128), primary_key=True),
    Column("customer_name", Text, nullable=False),  # the customer's display name at subscribing
    # The tier and fee in force before the newest tier change takes effect (the subscription's
    # first ones without a change): while the newest change is upcoming, the current ones.
    Column("tier_id", String(128), nullable=False),
    Column("fee_minor", BigInteger, nullable=False),  # whole minor units of currency
    Column("currency", String(3), nullable=False),
    Column("fee_period", String(16), nullable=False),  # PeriodUnit value: day, week, month, ...
    # The newest tier change recorded (NULL without one): its tier and fee govern every period
    # that starts at or after change_effective_from.
    Column("change_tier_id", String(128), nullable=True),
    Column("change_fee_minor", BigInteger, nullable=True),
    Column("change_currency", String(3), nullable=True),
    Column("change_fee_period", String(16), nullable=True),
    Column("change_effective_from", DateTime(timezone=True), nullable=True),
    # Every tier-and-fee state in record order, the first from the start (JSON list of
    # {tier_id, fee_minor, currency, fee_period, effective_from}): the tier in force at an
    # instant is the last one recorded that is effective by then.
    Column("changes", Text, nullable=False),
    Column("start", DateTime(timezone=True), nullable=False),
    Column("planned_end", DateTime(timezone=True), nullable=True),  # as subscribed; NULL: none
    Column("ended_at", DateTime(timezone=True), nullable=True),  # Ended's end_at; NULL: not ended
    Column("version", Integer, nullable=False),  # the subscription stream's version
    Column("position", BigInteger, nullable=False),  # log position of its last event
    Index("ix_projected_subscriptions_customer", "customer_id", "agreement_id"),
)

# The disputes read model (projections/dispute_views.py): one row per dispute, its record as
# its stream tells it (domain.disputes.DisputeRecord). Instants are epoch microseconds (UTC).
disputes = Table(
    "projected_disputes",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("dispute_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),  # who disputes
    Column("subject_kind", String(16), nullable=False),  # domain.disputes.SubjectKind value
    Column("objective_id", String(128), nullable=False),  # "" for an exclusion
    Column("period_label", String(16), nullable=False),  # "" for an exclusion
    Column("exclusion_id", String(128), nullable=False),  # "" for a period's result or claim
    Column("subject_customer_id", String(128), nullable=False),  # a service SLA's subscriber
    Column("reason", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("opened_at_us", BigInteger, nullable=False),  # DisputeOpened's record time
    Column("opened_log_position", BigInteger, nullable=False),  # what the ledger knew then
    Column("opened_position", BigInteger, nullable=False),  # DisputeOpened's position
    Column("outcome", String(16), nullable=True),  # NULL while open; upheld or rejected
    Column("resolution_reason", Text, nullable=False),
    Column("resolved_at_us", BigInteger, nullable=True),
    Column("resolved_log_position", BigInteger, nullable=False),  # 0 while open
    Column("resolved_position", BigInteger, nullable=False),  # 0 while open
    Column("compensation_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),  # the dispute stream's version
    Index("ix_projected_disputes_position", "opened_position", unique=True),
    Index("ix_projected_disputes_customer", "customer_id", "opened_position"),
    Index("ix_projected_disputes_agreement", "agreement_id", "opened_position"),
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

READ_MODEL_TABLES = (
    agreements,
    periods,
    breaches,
    credit_lines,
    reading_rollups,
    case_definitions,
    case_timelines,
    case_judgements,
    case_judgement_counts,
    case_judgement_totals,
    subscriptions,
    *CREDIT_LIFECYCLE_TABLES,
    disputes,
    *DIRECTORY_TABLES,
)
CACHE_TABLES = (encoded_events,)
