"""LedgerClient: a channel to the ledger with the token, deadline, retries and typed errors."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import grpc

from sla_ledger_client._generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from sla_ledger_client.commands import Commands
from sla_ledger_client.interceptors import LedgerInterceptor
from sla_ledger_client.queries import Queries
from sla_ledger_client.retry import RetryPolicy
from sla_ledger_client.subscription import EventSubscription

DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_TIMEOUT_SECONDS = 24 * 3600.0
# The ledger's default --max-message-bytes; a client may send and receive messages this large.
DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024


class LedgerClient(Commands, Queries):
    """A connection to the ledger's gRPC API.

    ``stub`` is the generated LedgerService stub over the intercepted channel, for the calls the
    typed methods do not wrap; it too sends the token, applies the default deadline, retries and
    raises :class:`~sla_ledger_client.errors.LedgerCallError` subclasses.
    """

    def __init__(
        self,
        channel: grpc.Channel,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        retry: RetryPolicy | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT_SECONDS} s")
        if token is not None and (not token or not token.isprintable() or not token.isascii()):
            raise ValueError("token must be non-empty printable ASCII")
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.max_message_bytes = max_message_bytes
        self._raw_channel = channel
        self.channel = grpc.intercept_channel(
            channel, LedgerInterceptor(token=token, timeout=timeout, retry=self.retry)
        )
        self.stub = pb_grpc.LedgerServiceStub(self.channel)

    @classmethod
    def connect(
        cls,
        target: str,
        *,
        token: str | None = None,
        ca_file: str | Path | None = None,
        server_name: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        retry: RetryPolicy | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> LedgerClient:
        """A client of the ledger at target (host:port): plaintext, or TLS with a CA file.

        ``server_name`` is the name the server's certificate holds when it differs from the
        target's host. ``timeout`` is the default deadline of each unary call in seconds.
        """
        if not target or not target.isprintable():
            raise ValueError("target must be a non-empty host:port")
        if not 1024 <= max_message_bytes <= 2**31 - 1:
            raise ValueError("max_message_bytes must be 1024 to 2^31 - 1")
        options: list[tuple[str, str | int]] = [
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
        ]
        if ca_file is None:
            if server_name:
                raise ValueError("server_name needs ca_file (TLS)")
            channel = grpc.insecure_channel(target, options=options)
        else:
            credentials = grpc.ssl_channel_credentials(Path(ca_file).read_bytes())
            if server_name:
                options.append(("grpc.ssl_target_name_override", server_name))
            channel = grpc.secure_channel(target, credentials, options=options)
        return cls(
            channel,
            token=token,
            timeout=timeout,
            retry=retry,
            max_message_bytes=max_message_bytes,
        )

    def subscribe(
        self,
        after_position: int = 0,
        *,
        event_types: tuple[str, ...] = (),
        agreement_id: str = "",
    ) -> EventSubscription:
        """Events after a log position, live, resuming after disconnects until closed."""
        return EventSubscription(
            self.stub,
            after_position,
            event_types=event_types,
            agreement_id=agreement_id,
            retry=self.retry,
        )

    def wait_until_ready(self, timeout: float | None = None) -> None:
        """Block until the channel is connected (grpc.FutureTimeoutError after timeout)."""
        grpc.channel_ready_future(self._raw_channel).result(timeout=timeout or self.timeout)

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self.channel.close()

    def __enter__(self) -> LedgerClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
