"""The ledger's tables beside the library's events table, in each dialect, and which of them are
append-only.

The ``measurement_keys`` table holds one 128-bit key per recorded reading with a client id, and
``measured_spans`` the first and last time-slice instant of each MetricMeasured event (see
service/store/ledger_recorder.py). The hash chain's tables are service/store/chain_sql.py's, the
request-id table service/store/command_requests.py's, ``subscriber_closes``
service/store/subscriber_closes.py's. Every one of them, and the events table,
refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) by trigger, but ``case_index``
(service/store/case_index.py), an index of the case streams whose rows each append replaces.
"""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Identifier, Literal

from service.store.case_index import CASE_INDEX_TABLE
from service.store.chain_sql import ADOPTIONS_TABLE, CHAIN_TABLE, ChainSQL, quoted
from service.store.command_requests import (
    COMMAND_REQUESTS_TABLE,
    SQLITE_CREATE,
    postgres_statements,
)
from service.store.subscriber_closes import SQLITE_CREATE as SQLITE_CREATE_CLOSES
from service.store.subscriber_closes import SUBSCRIBER_CLOSES_TABLE
from service.store.subscriber_closes import postgres_statements as closes_statements

MEASUREMENT_KEYS_TABLE = "measurement_keys"
SPANS_TABLE = "measured_spans"
APPEND_ONLY = "the ledger is append-only: what it recorded is never changed or removed"


def append_only_tables(events_table: str) -> tuple[str, ...]:
    """Every table of the ledger: none of their rows is ever changed or removed."""
    return (
        events_table,
        MEASUREMENT_KEYS_TABLE,
        CHAIN_TABLE,
        ADOPTIONS_TABLE,
        COMMAND_REQUESTS_TABLE,
        SPANS_TABLE,
        SUBSCRIBER_CLOSES_TABLE,
    )


def sqlite_tables(events_table: str, chain_sql: ChainSQL) -> list[str]:
    """SQLite: the ledger's tables after the library's, and the append-only triggers."""
    return [
        f"CREATE TABLE IF NOT EXISTS {MEASUREMENT_KEYS_TABLE} (key BLOB PRIMARY KEY) WITHOUT ROWID",
        *chain_sql.create_statements,
        f"CREATE TABLE IF NOT EXISTS {SPANS_TABLE} (originator_id TEXT, "
        "originator_version INTEGER, first_us INTEGER NOT NULL, last_us INTEGER NOT NULL, "
        "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
        SQLITE_CREATE,
        SQLITE_CREATE_CLOSES,
        f"CREATE TABLE IF NOT EXISTS {CASE_INDEX_TABLE} (agreement_id TEXT NOT NULL, "
        "case_id TEXT NOT NULL, opened_at_us INTEGER NOT NULL, last_at_us INTEGER NOT NULL, "
        "settled INTEGER NOT NULL, settled_recorded_at_us INTEGER, "
        "PRIMARY KEY (agreement_id, case_id)) WITHOUT ROWID",
        *(
            f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{verb.lower()} "
            f"BEFORE {verb} ON {table} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            for table in append_only_tables(events_table)
            for verb in ("UPDATE", "DELETE")
        ),
    ]


def postgres_tables(schema_name: str, events_table: str, chain_sql: ChainSQL) -> list[Composed]:
    """PostgreSQL: the ledger's tables after the library's, the append-only triggers and the
    index of stream names in byte order."""
    schema = Identifier(schema_name)
    statements: list[Composed] = [
        SQL("CREATE TABLE IF NOT EXISTS {}.{} (key bytea PRIMARY KEY)").format(
            schema, Identifier(MEASUREMENT_KEYS_TABLE)
        ),
        SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (originator_id text, originator_version bigint, "
            "first_us bigint NOT NULL, last_us bigint NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(schema, Identifier(SPANS_TABLE)),
        *chain_sql.create_statements,
        *postgres_statements(schema_name)[0],
        closes_statements(schema_name)[0],
        # Case ids in byte order, as SQLite orders them, so pages follow the same order.
        SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (agreement_id text NOT NULL, "
            'case_id text COLLATE "C" NOT NULL, opened_at_us bigint NOT NULL, '
            "last_at_us bigint NOT NULL, "
            "settled boolean NOT NULL, settled_recorded_at_us bigint, "
            "PRIMARY KEY (agreement_id, case_id))"
        ).format(schema, Identifier(CASE_INDEX_TABLE)),
    ]
    refuse = Identifier("sla_ledger_refuse_change")
    statements.append(
        SQL(
            "CREATE OR REPLACE FUNCTION {}.{}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '{}' USING ERRCODE = 'insufficient_privilege'; END $$"
        ).format(schema, refuse, SQL(APPEND_ONLY))
    )
    for table_name in append_only_tables(events_table):
        for when, scope in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
            trigger_name = f"{table_name}_refuse_{when.split()[0].lower()}"
            create = SQL(
                "CREATE TRIGGER {} BEFORE {} ON {}.{} FOR EACH {} EXECUTE FUNCTION {}.{}()"
            ).format(
                Identifier(trigger_name),
                SQL(when),
                schema,
                Identifier(table_name),
                SQL(scope),
                schema,
                refuse,
            )
            # Only when missing: creating a trigger locks its table, and a starting server
            # must not wait behind a crashed one's open transaction.
            statements.append(
                SQL(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = {} "
                    "AND tgrelid = {}::regclass) THEN {}; END IF; END $$"
                ).format(
                    Literal(trigger_name),
                    Literal(f"{quoted(schema_name)}.{quoted(table_name)}"),
                    create,
                )
            )
    # Stream names compared byte by byte whatever the database's collation, with an index
    # in that order, so an agreement's events are found without scanning the whole log.
    stream_name_index = f"{events_table}_stream_name_idx"
    statements.append(
        SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relname = {} AND n.nspname = {}) THEN "
            'CREATE INDEX {} ON {}.{} (originator_id COLLATE "C", notification_id); '
            "END IF; END $$"
        ).format(
            Literal(stream_name_index),
            Literal(schema_name),
            Identifier(stream_name_index),
            schema,
            Identifier(events_table),
        )
    )
    statements.append(_lz4_states(schema_name, events_table))
    return statements


def _lz4_states(schema_name: str, events_table: str) -> Composed:
    """Compress the events' states with lz4 rather than pglz (several times faster to write and
    to read back) where the server has it (PostgreSQL 14 and later, built with lz4). Only when
    not set yet and only if the table's lock comes within a second, since the ALTER takes it
    whole: a start that cannot get it serves on with pglz and tries again at the next start.
    States already stored keep their compression."""
    table = f"{quoted(schema_name)}.{quoted(events_table)}"
    return SQL(
        "DO $$ BEGIN IF current_setting('server_version_num')::int >= 140000 THEN "
        "IF (SELECT attcompression FROM pg_attribute WHERE attrelid = {}::regclass "
        "AND attname = 'state') <> 'l' THEN BEGIN SET LOCAL lock_timeout = '1s'; EXECUTE {}; "
        "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR lock_not_available "
        "THEN NULL; END; END IF; END IF; END $$"
    ).format(Literal(table), Literal(f"ALTER TABLE {table} ALTER COLUMN state SET COMPRESSION lz4"))
