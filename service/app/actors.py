"""Who acts: the identity the ledger records with every event a call appends."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import grpc

from service.api.auth import current_identity

UNAUTHENTICATED_PREFIX = "unauthenticated "
PERIOD_CLOSER = "sla-ledger period closer"

current_actor: ContextVar[str] = ContextVar("current_actor", default="")
Handler = TypeVar("Handler", bound=Callable[..., Any])


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Record actor with every event appended inside the block (in this thread)."""
    token = current_actor.set(actor)
    try:
        yield
    finally:
        current_actor.reset(token)


def caller_of(context: grpc.ServicerContext) -> str:
    """The identity of a call's caller: its token's name, or the peer address without one."""
    identity = current_identity.get()
    if identity is not None:
        return identity.actor
    try:
        peer = context.peer()
    except (NotImplementedError, AttributeError):  # test doubles of contexts have no peer
        peer = "unknown peer"
    return UNAUTHENTICATED_PREFIX + str(peer)


def as_caller(handler: Handler) -> Handler:
    """Wrap a servicer method so the events it appends record its caller as their actor."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        with acting_as(caller_of(context)):
            return handler(self, request, context)

    return wrapper  # type: ignore[return-value]
