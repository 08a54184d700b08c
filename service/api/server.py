"""The gRPC server: ledger service, health, reflection, access log and graceful shutdown."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from projections.read_models import ReadModels
from service.api.access_log import AccessLogInterceptor, no_trace_id
from service.api.auth import TokenBook, TokenFileError
from service.api.errors import ErrorStatusInterceptor, storage_error_observers
from service.api.reflection import enable_reflection
from service.api.registration import add_ledger_service
from service.api.servicer import LedgerServicer
from service.api.subscriptions import EventStreams
from service.app.application import Clock, LedgerApplication, utc_now
from service.config import ServeConfig
from service.generated.sla.ledger.v1 import ledger_service_pb2
from service.listen_addresses import is_loopback

if TYPE_CHECKING:
    from service.telemetry.metrics import LedgerMetrics
    from service.telemetry.tracing import Tracing

logger = logging.getLogger("sla_ledger.server")

LEDGER_SERVICE = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"].full_name
# Largest batch of events in one SubscribeEvents response, within the send limit.
MAX_STREAM_BATCH_BYTES = 4 * 1024 * 1024


@dataclass
class RunningServer:
    """A started server, the port it bound and what it needs to stop cleanly."""

    server: grpc.Server
    health: health.HealthServicer
    port: int
    app: LedgerApplication
    streams: EventStreams
    read_models: ReadModels | None = None
    metrics: LedgerMetrics | None = None

    def stop(self, grace_seconds: float) -> None:
        """Report NOT_SERVING, end the event streams, let in-flight calls finish within the
        grace, stop the projections, then close storage."""
        self.health.enter_graceful_shutdown()
        self.streams.close()
        self.server.stop(grace_seconds).wait()
        if self.read_models is not None:
            self.read_models.stop()
        self.app.close()
        if self.metrics is not None:
            storage_error_observers.remove(self.metrics.storage_error)
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
    tracing: Tracing | None = None,
    metrics: LedgerMetrics | None = None,
) -> RunningServer:
    """Start serving app on config.listen; SERVING once storage answers. With tracing, each
    LedgerService call is a server span and the access log carries its trace id; with metrics,
    every call, ingest, append, stream and storage failure is counted in them."""
    # Outermost first: tracing, metrics (each when on), the access log, the error status.
    interceptors: list[grpc.ServerInterceptor] = []
    # Each imported only when on: OpenTelemetry and prometheus_client are slow to import.
    if tracing is not None:  # outermost, so every layer below runs inside the call's span
        from service.api.tracing_interceptor import tracing_interceptor

        interceptors.append(tracing_interceptor(tracing, LEDGER_SERVICE))
    if metrics is not None:
        from service.api.metrics_interceptor import MetricsInterceptor

        interceptors.append(MetricsInterceptor(metrics))
    interceptors += [
        AccessLogInterceptor(
            config.max_message_bytes,
            no_trace_id if tracing is None else tracing.current_trace_id,
        ),
        ErrorStatusInterceptor(LEDGER_SERVICE),
    ]
    server = grpc.server(
        ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="rpc"),
        interceptors=interceptors,
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
    if metrics is not None:
        metrics.watch(app, streams.open_count, read_models, clock)
        metrics.know_methods(ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"])
        storage_error_observers.append(metrics.storage_error)
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
        observer=metrics,
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
    return RunningServer(server, health_servicer, port, app, streams, read_models, metrics)
