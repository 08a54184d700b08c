"""The server interceptor behind the grpc_server_* metrics and the bytes of each method.

It sits outside the access log and the error mapping (server.py), so the code it counts is the
one the caller gets. Messages and bytes are counted where gRPC deserializes each request and
serializes each response: a reply refused as too large is never counted as sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from service.telemetry.metrics import LedgerMetrics


class MetricsInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Counts every call at its start and end, times it, and counts its messages and bytes.

    Non-blocking handlers (the health service's Watch) answer through callbacks rather than a
    return or an iterator; they are passed on uncounted.
    """

    def __init__(self, metrics: LedgerMetrics) -> None:
        self._metrics = metrics

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        """The handler, wrapped to count and time its calls."""
        handler = continuation(handler_call_details)
        if handler is None:
            return None  # gRPC answers UNIMPLEMENTED itself
        behavior = (
            handler.unary_unary or handler.unary_stream or handler.stream_unary
        ) or handler.stream_stream
        if getattr(behavior, "experimental_non_blocking", False):
            return handler
        service, _, method = str(handler_call_details.method).lstrip("/").rpartition("/")
        call = _Call(self._metrics, _grpc_type(handler), service, method)
        wrap: Any
        if handler.response_streaming:
            observed = call.observe_stream(behavior)
            wrap = (
                grpc.stream_stream_rpc_method_handler
                if handler.request_streaming
                else grpc.unary_stream_rpc_method_handler
            )
        else:
            observed = call.observe_unary(behavior)
            wrap = (
                grpc.stream_unary_rpc_method_handler
                if handler.request_streaming
                else grpc.unary_unary_rpc_method_handler
            )
        return wrap(
            observed,
            request_deserializer=call.deserializer(handler.request_deserializer),
            response_serializer=call.serializer(handler.response_serializer),
        )


def _grpc_type(handler: Any) -> str:
    if handler.request_streaming:
        return "bidi_stream" if handler.response_streaming else "client_stream"
    return "server_stream" if handler.response_streaming else "unary"


class _Call:
    """The metrics of one method, bound to its labels."""

    def __init__(self, metrics: LedgerMetrics, kind: str, service: str, method: str) -> None:
        self._metrics = metrics
        self._labels = (kind, service, method)
        self._method = method

    def deserializer(self, inner: Callable[[bytes], Any] | None) -> Callable[[bytes], Any]:
        """inner, counting each message received and its bytes."""
        received = self._metrics.msg_received.labels(*self._labels)
        received_bytes = self._metrics.received_bytes.labels(self._method)

        def deserialize(data: bytes) -> Any:
            received.inc()
            received_bytes.inc(len(data))
            return inner(data) if inner is not None else data

        return deserialize

    def serializer(self, inner: Callable[[Any], bytes] | None) -> Callable[[Any], bytes]:
        """inner (none when an inner interceptor already serialized), counting each message
        sent and its bytes."""
        sent = self._metrics.msg_sent.labels(*self._labels)
        sent_bytes = self._metrics.sent_bytes.labels(self._method)

        def serialize(response: Any) -> bytes:
            data: bytes = inner(response) if inner is not None else response
            sent.inc()
            sent_bytes.inc(len(data))
            return data

        return serialize

    def observe_unary(self, behavior: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """behavior, counted at its start and end and timed."""

        def observed(request: Any, context: grpc.ServicerContext) -> Any:
            started = self._start()
            failed = True
            try:
                response = behavior(request, context)
                failed = False
                return response
            finally:
                self._end(started, _code(context, failed, context.is_active()))

        return observed

    def observe_stream(
        self, behavior: Callable[[Any, Any], Iterator[Any]]
    ) -> Callable[[Any, Any], Iterator[Any]]:
        """A response-streaming behavior, counted at its start and end and timed."""

        def observed(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = self._start()
            failed = True
            try:
                yield from behavior(request, context)
                failed = False
            except GeneratorExit:  # closed without its end: the caller went away
                failed = False
                raise
            finally:
                self._end(started, _code(context, failed, context.is_active()))

        return observed

    def _start(self) -> float:
        self._metrics.started.labels(*self._labels).inc()
        return time.perf_counter()

    def _end(self, started: float, code: grpc.StatusCode) -> None:
        self._metrics.handled.labels(*self._labels, code.name).inc()
        self._metrics.handling_seconds.labels(*self._labels).observe(time.perf_counter() - started)


def _code(context: grpc.ServicerContext, failed: bool, active: bool) -> grpc.StatusCode:
    """The status the caller gets: the one set (by abort, mostly); UNKNOWN for an exception
    gRPC reports itself; CANCELLED when the call is no longer active (the caller went away or
    the grace ran out); OK otherwise."""
    code: grpc.StatusCode | None = context.code()
    if code is not None:
        return code
    if failed:
        return grpc.StatusCode.UNKNOWN
    return grpc.StatusCode.OK if active else grpc.StatusCode.CANCELLED
