"""`sla-ledger serve` and `sla-ledger project`: the long-running processes."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from service.app.application import utc_now
from service.bootstrap import open_application, open_read_models
from service.cli.common import existing_ledger, storage_of
from service.config import serve_config
from service.logs import configure_logging
from service.telemetry.tracing_settings import TraceSettingsError, tracing_from_environment
from service.workers.case_warnings import CaseWarner
from service.workers.claim_forfeiter import ClaimForfeiter
from service.workers.digest_log import DigestLog
from service.workers.period_closer import PeriodCloser
from service.workers.projection_process import ProjectionProcess

if TYPE_CHECKING:
    from service.telemetry.tracing import Tracing

logger = logging.getLogger("sla_ledger")
PARENT_POLL_SECONDS = 0.5

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until SIGTERM or SIGINT."""
    config = serve_config(arguments)
    configure_logging(config.log_level)
    # Block the stop signals before any thread starts, so every thread inherits the mask and a
    # signal arriving at any time, even during start-up, waits for sigwait below: no handler
    # runs in the middle of other code, and none is missed.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    tracing = _tracing()  # its export thread starts here, after the mask
    storage = storage_of(config.database_url)
    app = open_application(storage, max_clock_skew=timedelta(seconds=config.max_clock_skew_seconds))
    read_models = open_read_models(app, storage)
    metrics, metrics_endpoint = None, None
    if config.metrics_listen:  # prometheus_client is imported only then
        from service.telemetry.metrics import LedgerMetrics
        from service.telemetry.metrics_http import serve_metrics

        metrics = LedgerMetrics()
        metrics_endpoint = serve_metrics(metrics, config.metrics_listen)
    # The gRPC API is imported here, so that the projection process (`project`) starts without it.
    from service.api.server import start_server

    running = start_server(app, config, read_models=read_models, tracing=tracing, metrics=metrics)
    projection_process = None
    if config.projections == "on":
        read_models.start()
    elif config.projections == "process":
        projection_process = ProjectionProcess(config.database_url, config.log_level)
        projection_process.start()
    # What start-up created lives as long as the process: out of the collector's full passes,
    # which otherwise rescan it and stall a call every hundred or so by about 25 ms.
    gc.freeze()
    closer = None
    if config.close_periods:
        closer = PeriodCloser(
            app,
            utc_now,
            timedelta(seconds=config.close_grace_seconds),
            config.close_interval_seconds,
        )
        if metrics is not None:
            closer.observe(metrics.background_round)
        closer.start()
    forfeiter = None
    if config.close_periods:  # claim deadlines pass in the same rounds as periods end
        forfeiter = ClaimForfeiter(app, utc_now, config.close_interval_seconds)
        if metrics is not None:
            forfeiter.observe(metrics.background_round)
        forfeiter.start()
    warner = None
    if config.warn_cases:
        warner = CaseWarner(
            app,
            utc_now,
            config.case_warning_interval_seconds,
            config.case_at_risk_percent,
            horizon=timedelta(seconds=config.case_warning_horizon_seconds),
        )
        if metrics is not None:
            warner.observe(metrics.background_round)
        warner.start()
    digest_log = None
    if config.digest_log_interval_seconds > 0:
        digest_log = DigestLog(app.audit.ledger_digest, config.digest_log_interval_seconds)
        digest_log.start()
    received = signal.sigwait(STOP_SIGNALS)
    if digest_log is not None:  # first, so that no digest line follows "shutting down"
        digest_log.stop()
    logger.info("shutting down", extra={"signal": signal.Signals(received).name})
    if closer is not None:
        closer.stop()
    if forfeiter is not None:
        forfeiter.stop()
    if warner is not None:
        warner.stop()
    running.stop(config.shutdown_grace_seconds)
    if projection_process is not None:
        projection_process.stop()
    if tracing is not None:
        tracing.shutdown()
    if metrics_endpoint is not None:
        metrics_endpoint.stop()
    return 0


def project(arguments: argparse.Namespace) -> int:
    """Keep the read models current until SIGTERM or SIGINT (a separate worker)."""
    configure_logging(arguments.log_level)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    tracing = _tracing()
    storage = existing_ledger(arguments)
    app = open_application(storage)
    read_models = open_read_models(app, storage)
    read_models.start()
    if arguments.parent_pid:
        _exit_with_parent(arguments.parent_pid)
    logger.info("projecting", extra={"position": read_models.position()})
    received = signal.sigwait(STOP_SIGNALS)
    logger.info("shutting down", extra={"signal": signal.Signals(received).name})
    read_models.stop()
    app.close()
    if tracing is not None:
        tracing.shutdown()
    return 0


def _tracing() -> Tracing | None:
    """The tracing the OTEL_* variables ask for; exit 1 naming a value not understood."""
    try:
        return tracing_from_environment(os.environ)
    except TraceSettingsError as error:
        print(f"sla-ledger: {error}", file=sys.stderr)  # noqa: T201 - before any log exists
        raise SystemExit(1) from None


def _exit_with_parent(parent_pid: int) -> None:
    """Send this process SIGTERM once its parent is gone (the parent may have been killed)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
