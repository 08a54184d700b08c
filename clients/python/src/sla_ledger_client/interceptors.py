"""The channel interceptor: token metadata, default deadline, request ids, retries, typed errors.

Unary calls get the default deadline when the caller gave none, a fresh ``request_id`` (uuid4)
when the request has such a field and it is empty (set once, before the first attempt, so every
retry carries the same id and the ledger records the command at most once), and retries by the
:class:`RetryPolicy` within the deadline. Failures are raised as :class:`LedgerCallError`
subclasses. Streams get the metadata and typed errors; they have no default deadline.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import grpc

from sla_ledger_client.errors import LedgerCallError, from_rpc_error
from sla_ledger_client.retry import RetryPolicy

Metadata = Sequence[tuple[str, str | bytes]]
REQUEST_ID_FIELD = "request_id"


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Metadata | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class _Details(_CallDetails, grpc.ClientCallDetails):  # type: ignore[misc]
    """Call details with the fields replaced (grpc.ClientCallDetails is an empty interface)."""


def with_request_id(request: Any) -> Any:
    """The request with a fresh request_id when it has that field and it is empty."""
    fields = getattr(getattr(request, "DESCRIPTOR", None), "fields_by_name", {})
    if REQUEST_ID_FIELD not in fields or getattr(request, REQUEST_ID_FIELD):
        return request
    copy = type(request)()
    copy.CopyFrom(request)
    setattr(copy, REQUEST_ID_FIELD, uuid.uuid4().hex)
    return copy


class LedgerInterceptor(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[misc]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[misc]
):
    """Adds the token, the default deadline, request ids, retries and typed errors."""

    def __init__(
        self,
        *,
        token: str | None,
        timeout: float,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._metadata: tuple[tuple[str, str], ...] = (
            (("authorization", f"Bearer {token}"),) if token else ()
        )
        self._timeout = timeout
        self._retry = retry
        self._sleep = sleep

    def _details(self, details: Any, timeout: float | None) -> _Details:
        metadata = [*(details.metadata or ()), *self._metadata]
        return _Details(
            details.method,
            timeout,
            metadata,
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )

    def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        """Call, retrying by the policy within the deadline; raise typed errors."""
        timeout = (
            client_call_details.timeout
            if client_call_details.timeout is not None
            else self._timeout
        )
        deadline = time.monotonic() + timeout
        request = with_request_id(request)
        attempt = 1
        while True:
            remaining = deadline - time.monotonic()
            outcome = continuation(
                self._details(client_call_details, max(remaining, 0.001)), request
            )
            if outcome.code() is grpc.StatusCode.OK:
                return outcome
            error = from_rpc_error(outcome)
            if attempt >= self._retry.max_attempts or not self._retry.should_retry(error):
                raise error
            wait = self._retry.backoff(attempt, error)
            if time.monotonic() + wait >= deadline:
                raise error
            self._sleep(wait)
            attempt += 1

    def intercept_unary_stream(
        self, continuation: Callable[[Any, Any], Any], client_call_details: Any, request: Any
    ) -> Any:
        """Open the stream with the metadata; its failures are raised typed while iterating."""
        call = continuation(
            self._details(client_call_details, client_call_details.timeout), request
        )
        return TypedStream(call)


class TypedStream:
    """A server stream's call whose iteration raises LedgerCallError instead of grpc.RpcError."""

    def __init__(self, call: Any) -> None:
        self._call = call

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._call)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)


__all__ = ["LedgerCallError", "LedgerInterceptor", "TypedStream", "with_request_id"]
