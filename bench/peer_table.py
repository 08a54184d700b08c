"""The peer of bench.peer_baseline: readings kept the way a team would without the ledger.

One PostgreSQL table of readings in a scratch schema, keyed by (agreement_id, at), filled with
one COPY per batch of rows, one transaction each; compliance is one SQL aggregate over the
window: the readings from the start of the period holding as_of (a local month, computed by
PostgreSQL in the agreement's time zone) up to and at as_of. With business hours, a reading
counts when its local ISO weekday and local time fall in them; one inside the exclusion
[start, end) counts neither good nor bad and is counted as excluded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from fractions import Fraction
from time import perf_counter

import psycopg
from psycopg import sql

from bench.harness import postgres_connection, scratch_schema

Row = tuple[str, datetime, int, int]
TABLE = """
CREATE TABLE readings (
    agreement_id TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    good BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, at)
)
"""
WINDOW = """
    agreement_id = %(agreement_id)s
    AND at >= date_trunc('month', %(as_of)s, %(zone)s)
    AND at <= %(as_of)s
"""
PLAIN = f"SELECT sum(good), sum(total), count(*), 0 FROM readings WHERE {WINDOW}"
# The OFFSET 0 fences keep each reading's local time and verdicts computed once: inlined, each
# FILTER would convert every instant to local time again (three times slower, measured).
BUSINESS_HOURS = f"""
SELECT sum(good) FILTER (WHERE counted), sum(total) FILTER (WHERE counted),
       count(*) FILTER (WHERE counted), count(*) FILTER (WHERE excluded)
FROM (
    SELECT good, total, excluded,
           NOT excluded
           AND extract(isodow FROM local) BETWEEN 1 AND 5
           AND local::time >= %(opens)s AND local::time < %(closes)s AS counted
    FROM (
        SELECT good, total, at AT TIME ZONE %(zone)s AS local,
               at >= %(excluded_from)s AND at < %(excluded_until)s AS excluded
        FROM readings WHERE {WINDOW}
        OFFSET 0
    ) AS in_window
    OFFSET 0
) AS judged
"""
YEAR_AGGREGATE = """
SELECT sum(good), sum(total) FROM readings
WHERE agreement_id = %(agreement_id)s AND at >= %(start)s AND at < %(end)s
"""


@dataclass(frozen=True)
class Question:
    """One compliance question to the peer: the agreement, as_of, the zone and the rules."""

    agreement_id: str
    as_of: datetime
    zone: str
    business_hours: tuple[time, time] | None  # local opening and closing, Monday-Friday
    exclusion: tuple[datetime, datetime] | None


@dataclass(frozen=True)
class Answer:
    """What one aggregate found: good, total, readings counted, readings excluded."""

    good: int
    total: int
    readings: int
    excluded: int

    @property
    def attained(self) -> Decimal | None:
        """100 x good / total at the ledger's precision: 6 decimals, rounded half-even."""
        if self.total == 0:
            return None
        return Decimal(round(Fraction(100 * self.good, self.total) * 10**6)).scaleb(-6)


Connection = psycopg.Connection[tuple[object, ...]]


@contextmanager
def peer_table(server_url: str) -> Iterator[Connection]:
    """A connection whose search path is a new scratch schema holding an empty readings table."""
    with scratch_schema(server_url) as (_, schema), postgres_connection(server_url) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        connection.execute(TABLE)
        yield connection


def copy_rate(connection: Connection, batches: Sequence[Sequence[Row]]) -> float:
    """Rows per second for one COPY per batch, one transaction each; then ANALYZE (untimed,
    as autovacuum would)."""
    started = perf_counter()
    for batch in batches:
        with (
            connection.transaction(),
            connection.cursor() as cursor,
            cursor.copy("COPY readings FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(row)
    elapsed = perf_counter() - started
    connection.execute("ANALYZE readings")
    return sum(len(batch) for batch in batches) / elapsed


def ask(connection: Connection, question: Question) -> Answer:
    """The answer of the one compliance aggregate: PLAIN, or BUSINESS_HOURS with the
    exclusion."""
    window = {"agreement_id": question.agreement_id, "as_of": question.as_of, "zone": question.zone}
    if question.business_hours is None:
        assert question.exclusion is None, "the plain aggregate takes no exclusion"
        row = connection.execute(PLAIN, window).fetchone()
    else:
        assert question.exclusion is not None, "the business hours aggregate takes one"
        (opens, closes), (excluded_from, excluded_until) = (
            question.business_hours,
            question.exclusion,
        )
        rules = {"opens": opens, "closes": closes, "excluded_from": excluded_from}
        row = connection.execute(
            BUSINESS_HOURS, window | rules | {"excluded_until": excluded_until}
        ).fetchone()
    assert row is not None
    good, total, readings, excluded = row
    return Answer(_count(good), _count(total), _count(readings), _count(excluded))


def _count(value: object) -> int:
    """A sum (numeric, NULL over no rows) or a count as an int."""
    if value is None:
        return 0
    assert isinstance(value, Decimal | int), value
    return int(value)


def year_aggregate(
    connection: Connection, agreement_id: str, start: datetime, end: datetime
) -> None:
    """sum(good), sum(total) of every reading in [start, end): timed only, not the ledger's
    question."""
    connection.execute(
        YEAR_AGGREGATE, {"agreement_id": agreement_id, "start": start, "end": end}
    ).fetchone()
