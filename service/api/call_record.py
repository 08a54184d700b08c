"""What the access log learns about a call from the layers it passes through."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class CallRecord:
    """One call's caller and sizes, filled in while it runs and logged when it ends."""

    principal: str = ""  # the bearer token's name; "" without tokens
    bytes_in: int = 0  # the request's serialized size (the sum over a request stream)
    bytes_out: int = 0  # serialized response bytes (the sum over a response stream)


# gRPC runs each call in a context of its own, so a record set here belongs to one call.
current_call: ContextVar[CallRecord | None] = ContextVar("current_call", default=None)


def call_record() -> CallRecord:
    """The running call's record, made on first use."""
    record = current_call.get()
    if record is None:
        record = CallRecord()
        current_call.set(record)
    return record
