"""The gRPC server: ledger service, health, reflection, access log and graceful shutdown."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from projections.read_models import ReadModels
from service.api.auth import TokenBook, TokenFileError
from service.api.errors import ErrorStatusInterceptor
from service.api.reflection import enable_reflection
from service.api.registration import add_ledger_service
from service.api.servicer import LedgerServicer
from service.api.subscriptions import EventStreams
from service.app.application import Clock, LedgerApplication, utc_now
from service.config import ServeConfig, is_loopback
from service.generated.sla.ledger.v1 import ledger_service_pb2
from service.store.event_limits import DEFAULT_MAX_MESSAGE_BYTES

logger = logging.getLogger("sla_ledger.server")
access_logger = logging.getLogger("sla_ledger.access")

LEDGER_SERVICE = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"].full_name
# Largest batch of events in one SubscribeEvents response, within the send limit.
MAX_STREAM_BATCH_BYTES = 4 * 1024 * 1024


class AccessLogInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Logs one line per call when it ends: method, status code and duration, and for a call
    that streams responses, how many it sent.

    The status is the one the caller gets: each response is serialized here, and one larger
    than the send limit ends the call with RESOURCE_EXHAUSTED (which gRPC would otherwise do
    after the handler returned, unseen by this log).
    """

    def __init__(self, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self._max_bytes = max_message_bytes

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        """Wrap unary-unary and response-streaming handlers with timing and status logging."""
        handler = continuation(handler_call_details)
        # Non-blocking handlers (the health service's Watch) send through a callback instead of
        # returning an iterator; wrapping them as generators would make each hold a thread.
        streams = handler is not None and (handler.unary_stream or handler.stream_stream)
        if streams and not getattr(streams, "experimental_non_blocking", False):
            return _logged_stream(handler, handler_call_details.method, self._max_bytes)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary
        serialize = _serializer(handler, method, self._max_bytes)

        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            try:
                return serialize(inner(request, context), context)
            finally:
                code = context.code() or grpc.StatusCode.OK
                access_logger.info(
                    "call",
                    extra={
                        "method": method,
                        "status": code.name,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    },
                )

        return grpc.unary_unary_rpc_method_handler(
            logged, request_deserializer=handler.request_deserializer
        )


def _serializer(handler: Any, method: str, max_bytes: int) -> Callable[[Any, Any], bytes]:
    """Serialize a response of the handler, aborting with RESOURCE_EXHAUSTED when it is larger
    than max_bytes."""
    to_bytes = handler.response_serializer

    def serialize(response: Any, context: grpc.ServicerContext) -> bytes:
        data: bytes = to_bytes(response) if to_bytes is not None else response
        if len(data) > max_bytes:
            logger.warning(
                "reply too large",
                extra={"method": method, "bytes": len(data), "max_message_bytes": max_bytes},
            )
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"the reply takes {len(data)} bytes, more than the {max_bytes} this server "
                "sends (--max-message-bytes); ask for less, e.g. a smaller page",
            )
        return data

    return serialize


def _logged_stream(handler: Any, method: str, max_bytes: int) -> Any:
    """The handler, its responses counted and one access line logged when the stream ends."""
    inner = handler.unary_stream or handler.stream_stream
    serialize = _serializer(handler, method, max_bytes)

    def logged(request_or_iterator: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        started = time.perf_counter()
        responses = 0
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
            access_logger.info(
                "call",
                extra={
                    "method": method,
                    "status": code.name,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "responses": responses,
                },
            )

    wrap = (
        grpc.unary_stream_rpc_method_handler
        if handler.unary_stream
        else grpc.stream_stream_rpc_method_handler
    )
    return wrap(logged, request_deserializer=handler.request_deserializer)


@dataclass
class RunningServer:
    """A started server, the port it bound and what it needs to stop cleanly."""

    server: grpc.Server
    health: health.HealthServicer
    port: int
    app: LedgerApplication
    streams: EventStreams
    read_models: ReadModels | None = None

    def stop(self, grace_seconds: float) -> None:
        """Report NOT_SERVING, end the event streams, let in-flight calls finish within the
        grace, stop the projections, then close storage."""
        self.health.enter_graceful_shutdown()
        self.streams.close()
        self.server.stop(grace_seconds).wait()
        if self.read_models is not None:
            self.read_models.stop()
        self.app.close()
        logger.info("stopped")


def server_credentials(config: ServeConfig) -> grpc.ServerCredentials:
    """TLS credentials from the configured PEM files; mutual TLS with a client CA."""
    try:
        key = Path(config.tls_key).read_bytes()
        cert = Path(config.tls_cert).read_bytes()
        client_ca = Path(config.tls_client_ca).read_bytes() if config.tls_client_ca else None
    except OSError as error:
        raise SystemExit(f"sla-ledger: cannot read a TLS file: {error}") from None
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def start_server(
    app: LedgerApplication,
    config: ServeConfig,
    clock: Clock = utc_now,
    read_models: ReadModels | None = None,
) -> RunningServer:
    """Start serving app on config.listen; SERVING once storage answers."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="rpc"),
        interceptors=[
            AccessLogInterceptor(config.max_message_bytes),
            ErrorStatusInterceptor(LEDGER_SERVICE),
        ],
        options=[
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=config.workers * 4,
    )
    streams = EventStreams(
        app,
        read_models=read_models,
        heartbeat_seconds=config.heartbeat_seconds,
        max_batch_bytes=max(1, min(MAX_STREAM_BATCH_BYTES, config.max_message_bytes // 2)),
        max_streams=max(1, config.workers // 2),
    )
    tokens = None
    if config.tokens_file:
        try:
            tokens = TokenBook.load(config.tokens_file)
        except TokenFileError as error:
            raise SystemExit(f"sla-ledger: {error}") from None
    servicer = LedgerServicer(
        app,
        clock,
        streams,
        read_models=read_models,
        max_message_bytes=config.max_message_bytes,
        case_at_risk_percent=config.case_at_risk_percent,
    )
    add_ledger_service(servicer, server, tokens)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    for name in ("", LEDGER_SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    enable_reflection((LEDGER_SERVICE, health.SERVICE_NAME), server)
    try:
        if config.tls:
            port = server.add_secure_port(config.listen, server_credentials(config))
        else:
            if not is_loopback(config.listen):
                logger.warning(
                    "listening without TLS on a non-loopback address: anyone who can reach it "
                    "can read and change the ledger's traffic",
                    extra={"address": config.listen},
                )
            port = server.add_insecure_port(config.listen)
    except RuntimeError as error:
        raise SystemExit(f"sla-ledger: cannot listen on {config.listen}: {error}") from None
    server.start()
    app.is_ready()
    for name in ("", LEDGER_SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    host = config.listen.rsplit(":", 1)[0]
    logger.info("listening", extra={"address": f"{host}:{port}", "port": port})
    return RunningServer(server, health_servicer, port, app, streams, read_models)
