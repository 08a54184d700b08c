"""The agreement directory's tables (projections/agreement_directory.py): bitemporal facts.

Each fact keeps its record time (recorded_us, the event's timestamp) and log position beside
the business instants it carries, so a listing at (as_of, known_at) is SQL over them. Instants
are microseconds since the epoch, so both backends compare them alike. A change to these
tables' keys, meaning or indexes bumps the version in their names and in the projection's name,
so that the running projections fill the new tables from the log (v2: services kept by their
SHA-256; v3: the index of terminated agreements).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, text

from projections.table_metadata import metadata

# One row per agreement: what never changes by amendment, the signing, the termination.
directory_agreements = Table(
    "directory_agreements_v3",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("provider_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),  # "" for a service SLA
    Column("signed_at_us", BigInteger, nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    # The termination, once recorded: its effective instant, record time and position.
    Column("terminated_at_us", BigInteger, nullable=True),
    Column("terminated_recorded_us", BigInteger, nullable=True),
    Column("terminated_position", BigInteger, nullable=True),
    Index("ix_directory_agreements_v3_provider", "provider_id", "agreement_id"),
    Index("ix_directory_agreements_v3_customer", "customer_id", "agreement_id"),
    # The status filter's walk in id order over the few terminated agreements only.
    Index(
        "ix_directory_agreements_v3_terminated",
        "agreement_id",
        postgresql_where=text("terminated_at_us IS NOT NULL"),
        sqlite_where=text("terminated_at_us IS NOT NULL"),
    ),
)

# One row per terms version (1 the signing's, then each amendment's).
directory_terms = Table(
    "directory_terms_v3",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("terms_version", Integer, primary_key=True, autoincrement=False),
    Column("effective_from_us", BigInteger, nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("term_start_us", BigInteger, nullable=False),
    Column("term_end_us", BigInteger, nullable=True),
    # JSON: the parties, services, objective ids and tier ids these terms show.
    Column("shown", Text, nullable=False),
)

# One row per service a terms version covers: the service filter's index.
directory_services = Table(
    "directory_services_v3",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("terms_version", Integer, primary_key=True, autoincrement=False),
    Column("service_key", String(64), primary_key=True),  # service_key() of the name
    Index("ix_directory_services_v3_service", "service_key", "agreement_id"),
)

# One row per subscription of a customer to a service SLA: its business start and end.
directory_subscribers = Table(
    "directory_subscribers_v3",
    metadata,
    Column("agreement_id", String(128), primary_key=True),
    Column("customer_id", String(128), primary_key=True),
    Column("start_us", BigInteger, nullable=False),
    Column("planned_end_us", BigInteger, nullable=True),
    Column("recorded_us", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("ended_at_us", BigInteger, nullable=True),
    Column("ended_recorded_us", BigInteger, nullable=True),
    Column("ended_position", BigInteger, nullable=True),
    Index("ix_directory_subscribers_v3_customer", "customer_id", "agreement_id"),
)

DIRECTORY_TABLES = (
    directory_agreements,
    directory_terms,
    directory_services,
    directory_subscribers,
)


def service_key(service: str) -> str:
    """The key a service name is kept and looked up by: its UTF-8 SHA-256, in hex."""
    return hashlib.sha256(service.encode("utf-8", "surrogatepass")).hexdigest()
