"""The actor of a gRPC call: read from its token or its peer, recorded with what it appends."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from service.api.auth import current_identity
from service.app.actors import acting_as

UNAUTHENTICATED_PREFIX = "unauthenticated "

Handler = TypeVar("Handler", bound=Callable[..., Any])


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
