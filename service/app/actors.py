"""Who acts: the identity the ledger records with every event a call appends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PERIOD_CLOSER = "sla-ledger period closer"
CASE_WARNER = "sla-ledger case warner"
CLAIM_FORFEITER = "sla-ledger claim forfeiter"

current_actor: ContextVar[str] = ContextVar("current_actor", default="")


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Record actor with every event appended inside the block (in this thread)."""
    token = current_actor.set(actor)
    try:
        yield
    finally:
        current_actor.reset(token)
