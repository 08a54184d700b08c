"""The gRPC server: ledger service, health, reflection, access log and graceful shutdown."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from service.application import Clock, LedgerApplication, utc_now
from service.config import ServeConfig
from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc
from service.servicer import LedgerServicer

logger = logging.getLogger("sla_ledger.server")
access_logger = logging.getLogger("sla_ledger.access")

LEDGER_SERVICE = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"].full_name


class AccessLogInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Logs one line per call: method, status code and duration."""

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        """Wrap unary-unary handlers with timing and status logging."""
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary

        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            try:
                return inner(request, context)
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
            logged,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


@dataclass
class RunningServer:
    """A started server, the port it bound and what it needs to stop cleanly."""

    server: grpc.Server
    health: health.HealthServicer
    port: int
    app: LedgerApplication

    def stop(self, grace_seconds: float) -> None:
        """Report NOT_SERVING, let in-flight calls finish within the grace, then close storage."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace_seconds).wait()
        self.app.close()
        logger.info("stopped")


def start_server(
    app: LedgerApplication, config: ServeConfig, clock: Clock = utc_now
) -> RunningServer:
    """Start serving app on config.listen; SERVING once storage answers."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="rpc"),
        interceptors=[AccessLogInterceptor()],
        options=[
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=config.workers * 4,
    )
    ledger_service_pb2_grpc.add_LedgerServiceServicer_to_server(LedgerServicer(app, clock), server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    for name in ("", LEDGER_SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (LEDGER_SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    try:
        port = server.add_insecure_port(config.listen)
    except RuntimeError as error:
        raise SystemExit(f"sla-ledger: cannot listen on {config.listen}: {error}") from None
    server.start()
    app.is_ready()
    for name in ("", LEDGER_SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    host = config.listen.rsplit(":", 1)[0]
    logger.info("listening", extra={"address": f"{host}:{port}", "port": port})
    return RunningServer(server, health_servicer, port, app)
