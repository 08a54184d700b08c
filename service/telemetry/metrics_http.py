"""The HTTP endpoint Prometheus scrapes: prometheus_client's own server, on an address of its
own, stopped with the gRPC server."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from service.listen_addresses import host_and_port, is_loopback
from service.telemetry.metrics import LedgerMetrics

logger = logging.getLogger("sla_ledger.metrics")
STOP_SECONDS = 5.0


@dataclass
class MetricsEndpoint:
    """A started metrics server and the port it bound."""

    server: WSGIServer
    thread: threading.Thread
    port: int

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(STOP_SECONDS)


def serve_metrics(metrics: LedgerMetrics, listen: str) -> MetricsEndpoint:
    """Serve the registry's metrics over HTTP on listen (HOST:PORT; port 0 picks one); log
    "metrics listening" with the address and port bound. SystemExit when it cannot listen."""
    host, port = host_and_port(listen)
    bind_host = host
    try:
        server, thread = start_http_server(port, addr=bind_host, registry=metrics.registry)
    except OSError as error:
        raise SystemExit(f"sla-ledger: cannot serve metrics on {listen}: {error}") from None
    bound = int(server.server_port)
    shown = f"[{bind_host}]:{bound}" if ":" in bind_host else f"{bind_host}:{bound}"
    if not is_loopback(listen):
        logger.warning(
            "metrics served without authentication on a non-loopback address",
            extra={"address": shown},
        )
    logger.info("metrics listening", extra={"address": shown, "port": bound})
    return MetricsEndpoint(server, thread, bound)
