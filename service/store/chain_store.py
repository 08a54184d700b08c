"""The hash chain on the write side, inside a recorder's write transaction.

Every append first checks, cheaply, that the log holds exactly the chained events (the first and
last positions of the events and of the chain agree), then chains exactly the events it
inserted. Rows the chain does not cover are an alarm, never adopted: the append is refused and
logged. Chaining a log written before the chain existed is `adopt-chain`'s one-time, recorded
operation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn

from eventsourcing.persistence import StoredEvent

from domain.errors import LedgerError, Reason
from service.store.chain_sql import ChainSQL
from service.store.ledger_chain import (
    GENESIS,
    Adoption,
    ChainedEvent,
    Digest,
    Malformed,
    coverage_problem,
    extend,
)

logger = logging.getLogger("sla_ledger.chain")
ADOPTION_PAGE = 1000


class LedgerTamperedError(LedgerError):
    """The log holds events the hash chain does not cover, or chain rows without their events:
    something wrote to the database around the ledger. Appends are refused."""

    reason = Reason.LEDGER_TAMPERED


class AdoptionRefusedError(LedgerError):
    """adopt-chain cannot chain this log (it has a chain already, or rows it cannot chain)."""


def chain_head(cursor: Any, sql: ChainSQL) -> Digest:
    """The last chain row as a digest (position 0 and the genesis hash when the chain is empty)."""
    cursor.execute(sql.select_head)
    row = cursor.fetchone()
    if row is None:
        return Digest(0, GENESIS)
    recorded = sql.hash(row)
    if isinstance(recorded, Malformed):
        logger.error("malformed chain head", extra={"problem": recorded.problem})
        raise LedgerTamperedError(
            f"the hash chain's head at position {recorded.position} is malformed: "
            f"{recorded.problem} (see `sla-ledger verify`)"
        )
    return Digest(*recorded)


def check_before_append(cursor: Any, sql: ChainSQL, before: int | None = None) -> Digest:
    """The chain's head, once the log's bounds show it holds the chained events and no others;
    LedgerTamperedError (logged) when they do not. With before, only the events at positions
    before it count: those the transaction is appending from there on are not chained yet."""
    if before is None:
        cursor.execute(sql.select_bounds)
    else:
        cursor.execute(sql.select_bounds_before, (before, before))
    bounds = sql.bounds(cursor.fetchone())
    problem = coverage_problem(bounds)
    if problem:
        _refuse(problem)
    return chain_head(cursor, sql)


def chain_inserted(
    cursor: Any,
    sql: ChainSQL,
    head: Digest,
    stored_events: Sequence[StoredEvent],
    positions: Sequence[int],
) -> None:
    """Chain exactly the events this transaction inserted, at positions, after head."""
    if len(positions) != len(stored_events) or any(p <= head.position for p in positions):
        _refuse(f"the log gave positions {list(positions)[:3]}... after the head {head.position}")
    events = [
        ChainedEvent(p, e.topic, str(e.originator_id), e.originator_version, bytes(e.state))
        for p, e in zip(positions, stored_events, strict=True)
    ]
    sql.insert_hashes(cursor, extend(head.hash, events))


def _refuse(problem: str) -> NoReturn:
    logger.error("unchained rows: append refused", extra={"problem": problem})
    raise LedgerTamperedError(
        f"refusing to append: {problem}. Rows were written to the database around the ledger "
        "(see `sla-ledger verify`); a log written before the chain existed needs "
        "`sla-ledger adopt-chain` once"
    )


def adopt(cursor: Any, sql: ChainSQL, by: str, at: datetime) -> Adoption:
    """Chain every event of a log that has no chain yet, from the genesis hash, and record who
    did it, when, and through which position; AdoptionRefusedError when it has a chain or holds
    a row that cannot be chained."""
    cursor.execute(sql.select_adoption)
    earlier = cursor.fetchone()
    if earlier is not None:
        done = sql.adoption(earlier)
        raise AdoptionRefusedError(
            f"the chain was adopted already, by {done.by} at {done.at}; adoption is one-time"
        )
    cursor.execute(sql.select_bounds)
    bounds = sql.bounds(cursor.fetchone())
    if bounds.first_chained is not None:
        raise AdoptionRefusedError(
            f"the hash chain already holds positions {bounds.first_chained} to "
            f"{bounds.last_chained}: adopt-chain only chains a log written before the chain"
        )
    if bounds.first_event is None or bounds.last_event is None:
        raise AdoptionRefusedError("the log has no events to adopt")
    head, count, start = Digest(0, GENESIS), 0, bounds.first_event
    while start <= bounds.last_event:
        cursor.execute(sql.select_events, (start, bounds.last_event, ADOPTION_PAGE))
        events = [sql.event(row) for row in cursor.fetchall()]
        if not events:
            break
        for event in events:
            if isinstance(event, Malformed):
                raise AdoptionRefusedError(
                    f"the event at position {event.position} cannot be chained: {event.problem}"
                )
        hashes = extend(head.hash, (e for e in events if isinstance(e, ChainedEvent)))
        sql.insert_hashes(cursor, hashes)
        head, count, start = Digest(*hashes[-1]), count + len(hashes), hashes[-1][0] + 1
    adoption = Adoption(by, at.isoformat(), count, head)
    cursor.execute(sql.insert_adoption, (adoption.at, by, count, head.position, head.hash))
    logger.warning(
        "hash chain adopted",
        extra={"by": by, "events": count, "position": head.position, "hash": head.hex},
    )
    return adoption
