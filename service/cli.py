"""The `sla-ledger` command line."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta

from service.application import LedgerApplication, utc_now
from service.config import add_serve_arguments, serve_config
from service.logs import configure_logging
from service.period_closer import PeriodCloser
from service.server import start_server
from service.storage import DatabaseUrlError, SchemaLock, parse_database_url

logger = logging.getLogger("sla_ledger")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sla-ledger", description="Event-sourced ledger of service level agreements."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gRPC server")
    add_serve_arguments(serve)
    return parser


def open_application(database_url: str) -> LedgerApplication:
    """The ledger application on the storage the URL names, its tables created once."""
    try:
        storage = parse_database_url(database_url)
    except DatabaseUrlError as error:
        raise SystemExit(f"sla-ledger: {error}") from None
    logger.info("opening storage", extra={"database": storage.describe()})
    with SchemaLock(storage):
        return LedgerApplication(env={**storage.env, "CREATE_TABLE": "y"})


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until SIGTERM or SIGINT."""
    config = serve_config(arguments, os.environ)
    configure_logging(config.log_level)
    # Block the stop signals before any thread starts, so every thread inherits the mask and a
    # signal arriving at any time, even during start-up, waits for sigwait below: no handler
    # runs in the middle of other code, and none is missed.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    app = open_application(config.database_url)
    running = start_server(app, config)
    closer = None
    if config.close_periods:
        closer = PeriodCloser(
            app,
            utc_now,
            timedelta(seconds=config.close_grace_seconds),
            config.close_interval_seconds,
        )
        closer.start()
    received = signal.sigwait(STOP_SIGNALS)
    logger.info("shutting down", extra={"signal": signal.Signals(received).name})
    if closer is not None:
        closer.stop()
    running.stop(config.shutdown_grace_seconds)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sla-ledger` console script."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "serve":
        return serve(arguments)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
