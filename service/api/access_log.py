"""The access log: one line per call when it ends (logger sla_ledger.access, message "call").

Fields: method, status, duration_ms, responses (streams only), peer, principal, request_id,
bytes_in, bytes_out and trace_id; docs/observability.md describes each.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from service.api.call_record import CallRecord, call_record, current_call
from service.api.errors import refuse_reply_too_large
from service.store.event_limits import DEFAULT_MAX_MESSAGE_BYTES

logger = logging.getLogger("sla_ledger.server")
access_logger = logging.getLogger("sla_ledger.access")

REQUEST_ID_METADATA = "x-request-id"
MAX_REQUEST_ID_CHARACTERS = 128


def no_trace_id() -> str:
    """The trace id logged while tracing is off."""
    return ""


class AccessLogInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Logs one line per call when it ends: method, status code, duration, caller, request id,
    sizes and trace id, and for a call that streams responses, how many it sent.

    The status is the one the caller gets: each response is serialized here, and one larger
    than the send limit ends the call with RESOURCE_EXHAUSTED (which gRPC would otherwise do
    after the handler returned, unseen by this log).
    """

    def __init__(
        self,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        trace_id: Callable[[], str] = no_trace_id,
    ) -> None:
        self._max_bytes = max_message_bytes
        self._trace_id = trace_id

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        """Wrap unary-unary and response-streaming handlers with timing and status logging."""
        handler = continuation(handler_call_details)
        # Non-blocking handlers (the health service's Watch) send through a callback instead of
        # returning an iterator; wrapping them as generators would make each hold a thread.
        streams = handler is not None and (handler.unary_stream or handler.stream_stream)
        if streams and not getattr(streams, "experimental_non_blocking", False):
            return self._logged_stream(handler, handler_call_details.method)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary
        serialize = _serializer(handler, method, self._max_bytes)

        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            record = call_record()
            record.bytes_in = request_size(request)
            try:
                return serialize(inner(request, context), context)
            finally:
                code = context.code() or grpc.StatusCode.OK
                self._log(method, code, started, request, context, record)

        return grpc.unary_unary_rpc_method_handler(
            logged, request_deserializer=handler.request_deserializer
        )

    def _logged_stream(self, handler: Any, method: str) -> Any:
        """The handler, its responses counted and one access line logged when the stream
        ends."""
        inner = handler.unary_stream or handler.stream_stream
        serialize = _serializer(handler, method, self._max_bytes)

        def logged(request_or_iterator: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = time.perf_counter()
            record = call_record()
            responses = 0
            if handler.stream_stream:
                request_or_iterator = _counted(request_or_iterator, record)
            else:
                record.bytes_in = request_size(request_or_iterator)
            try:
                for response in inner(request_or_iterator, context):
                    data = serialize(response, context)
                    responses += 1
                    yield data
            finally:
                # No code and no longer active: the client cancelled (or the grace ran out).
                code = context.code() or (
                    grpc.StatusCode.OK if context.is_active() else grpc.StatusCode.CANCELLED
                )
                self._log(method, code, started, request_or_iterator, context, record, responses)

        wrap = (
            grpc.unary_stream_rpc_method_handler
            if handler.unary_stream
            else grpc.stream_stream_rpc_method_handler
        )
        return wrap(logged, request_deserializer=handler.request_deserializer)

    def _log(
        self,
        method: str,
        code: grpc.StatusCode,
        started: float,
        request: Any,
        context: grpc.ServicerContext,
        record: CallRecord,
        responses: int | None = None,
    ) -> None:
        fields: dict[str, Any] = {
            "method": method,
            "status": code.name,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        if responses is not None:
            fields["responses"] = responses
        fields.update(
            peer=context.peer(),
            principal=record.principal,
            request_id=request_id(request, context),
            bytes_in=record.bytes_in,
            bytes_out=record.bytes_out,
            trace_id=self._trace_id(),
        )
        # The next call a thread serves starts a record of its own.
        current_call.set(None)
        access_logger.info("call", extra=fields)


def request_id(request: Any, context: grpc.ServicerContext) -> str:
    """The request's request_id field when it has one, else the x-request-id metadata value
    when it is 1 to 128 printable ASCII characters, else ""."""
    own = getattr(request, "request_id", "")
    if isinstance(own, str) and own:
        return own[:MAX_REQUEST_ID_CHARACTERS]
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID_METADATA and isinstance(value, str) and _printable(value):
            return value
    return ""


def _printable(text: str) -> bool:
    return 0 < len(text) <= MAX_REQUEST_ID_CHARACTERS and all(" " <= c <= "~" for c in text)


def request_size(message: Any) -> int:
    """A request message's serialized size (gRPC decodes it in another thread, out of the
    call's context, so the size is taken from the decoded message)."""
    if isinstance(message, bytes):
        return len(message)
    byte_size = getattr(message, "ByteSize", None)
    return int(byte_size()) if callable(byte_size) else 0


def _counted(requests: Iterator[Any], record: CallRecord) -> Iterator[Any]:
    """The request stream, each message's size added to the record."""
    for request in requests:
        record.bytes_in += request_size(request)
        yield request


def _serializer(handler: Any, method: str, max_bytes: int) -> Callable[[Any, Any], bytes]:
    """Serialize a response of the handler, adding its size to the call's record and aborting
    with RESOURCE_EXHAUSTED when it is larger than max_bytes."""
    to_bytes = handler.response_serializer

    def serialize(response: Any, context: grpc.ServicerContext) -> bytes:
        data: bytes = to_bytes(response) if to_bytes is not None else response
        if len(data) > max_bytes:
            logger.warning(
                "reply too large",
                extra={"method": method, "bytes": len(data), "max_message_bytes": max_bytes},
            )
            refuse_reply_too_large(len(data), max_bytes, context)
        call_record().bytes_out += len(data)
        return data

    return serialize
