"""Client request ids: what makes a command safe to retry.

A request id belongs to its caller: with tokens configured, to the token (its name), so one
tenant can never make another's retries fail; without tokens every caller shares one scope,
because callers are not told apart (a peer address changes with every connection, so scoping by
it would break the very retries ids exist for). The store keys a request by `key`: the bare id
in the shared scope, as ledgers written before scoping stored every id, and `<token>/<id>` for a
token (request ids never hold a '/', so no two callers' keys can meet).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from google.protobuf.message import Message

COMMAND_REQUESTS_TABLE = "command_requests"
SCOPE_SEPARATOR = "/"


@dataclass(frozen=True)
class CommandRequest:
    """A command call that carries a client request id."""

    request_id: str
    method: str
    fingerprint: bytes  # of the request's content, the id left out
    scope: str = ""  # the caller's token name; empty for the shared scope of a no-token server

    @property
    def key(self) -> str:
        """How the store keys this request: the id within its caller's scope."""
        return f"{self.scope}{SCOPE_SEPARATOR}{self.request_id}" if self.scope else self.request_id


@dataclass(frozen=True)
class CommandRecord:
    """A command the ledger carried out for a request id: the positions it appended."""

    request: CommandRequest
    first_position: int
    last_position: int

    def same_call(self, request: CommandRequest) -> bool:
        """Whether request is a retry of this command (same method and content)."""
        return (self.request.method, self.request.fingerprint) == (
            request.method,
            request.fingerprint,
        )


class RequestCarriedOutError(Exception):
    """A call with this request id was carried out already (perhaps concurrently)."""

    def __init__(self, record: CommandRecord) -> None:
        super().__init__(f"request {record.request.request_id} was carried out already")
        self.record = record


def command_request(method: str, message: Message, scope: str = "") -> CommandRequest | None:
    """The request id of a command message, in the caller's scope, with its fingerprint; None
    without an id."""
    request_id = getattr(message, "request_id", "")
    if not request_id:
        return None
    content = type(message)()
    content.CopyFrom(message)
    content.ClearField("request_id")
    fingerprint = hashlib.sha256(content.SerializeToString(deterministic=True)).digest()
    return CommandRequest(request_id, method, fingerprint, scope)
