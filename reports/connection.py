"""A client connection to the ledger's gRPC API: the channel, the bearer token, the deadline.

The reports and the portal are clients of the API like any other: they hold no storage and
present the caller's token on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import grpc
from sla_ledger_client import LedgerClient

from reports.defaults import DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class LedgerAddress:
    """Where the ledger listens and how to reach it: plaintext, or TLS with a CA file."""

    target: str
    ca_file: str = ""  # PEM CA certificates that signed the server's certificate; "" plaintext
    server_name: str = ""  # the name the certificate holds when it differs from the target's

    def channel(self) -> grpc.Channel:
        """A new channel to the ledger."""
        if not self.ca_file:
            return grpc.insecure_channel(self.target)
        credentials = grpc.ssl_channel_credentials(Path(self.ca_file).read_bytes())
        options = [("grpc.ssl_target_name_override", self.server_name)] if self.server_name else []
        return grpc.secure_channel(self.target, credentials, options=options)


class LedgerConnection:
    """A channel to the ledger through the typed client, calling with one caller's token.

    The client (sla_ledger_client) sends the token and the default deadline on every call,
    retries UNAVAILABLE and ABORTED, and raises its LedgerCallError (a grpc.RpcError carrying
    the decoded ErrorInfo reason, field violations and resource) for a failed call.
    """

    def __init__(
        self,
        channel: grpc.Channel,
        token: str = "",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.channel = channel
        self.client = LedgerClient(channel, token=token or None, timeout=timeout_seconds)
        self.stub = self.client.stub
        self.timeout = timeout_seconds

    def with_token(self, token: str) -> LedgerConnection:
        """The same channel, calling with another caller's token."""
        return LedgerConnection(self.channel, token, self.timeout)

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()

    def __enter__(self) -> LedgerConnection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
