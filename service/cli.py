"""The `sla-ledger` command line."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eventsourcing.persistence import PersistenceError

import service.grpc_core_logs  # noqa: F401 - first, before grpc is loaded
from projections.audit import Audit
from projections.exports import write_credits_csv
from projections.queries import CreditFilter
from projections.runner import checksum
from service.application import DEFAULT_MAX_CLOCK_SKEW, LedgerApplication, utc_now
from service.auth import token_digest
from service.chain_store import AdoptionRefusedError
from service.chain_verification import verify_storage
from service.config import add_serve_arguments, command_log_level, serve_config
from service.digest_log import DigestLog
from service.ledger_chain import Adoption, Digest
from service.log_reader import LogUnreadableError, NoLedgerError
from service.logs import configure_logging
from service.period_closer import PeriodCloser
from service.projection_process import ProjectionProcess
from service.read_models import ReadModels
from service.server import start_server
from service.storage import (
    DEFAULT_DATABASE_URL,
    DatabaseUrlError,
    SchemaLock,
    Storage,
    parse_database_url,
)

logger = logging.getLogger("sla_ledger")
PARENT_POLL_SECONDS = 0.5
MAX_ADOPTER_CHARACTERS = 200


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sla-ledger", description="Event-sourced ledger of service level agreements."
    )
    parser.add_argument("--version", action="version", version=f"sla-ledger {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gRPC server")
    add_serve_arguments(serve)
    for name, help_text in (
        ("project", "keep the read models current (a worker beside the servers)"),
        ("rebuild-projections", "drop every read model and rebuild it from the log"),
        ("export-credits", "write the credit ledger of a period range as CSV"),
        ("verify", "recompute the log's hash chain; exit 1 at the first position that differs"),
        ("adopt-chain", "chain a log written before the hash chain existed (once, recorded)"),
        ("hash-token", "print the SHA-256 of a bearer token read from standard input"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--database-url",
            default=None,
            help=f"database URL (env SLA_LEDGER_DATABASE_URL; default {DEFAULT_DATABASE_URL})",
        )
        command.add_argument(
            "--log-level",
            default=None,
            help="DEBUG, INFO, WARNING or ERROR (env SLA_LEDGER_LOG_LEVEL)",
        )
        if name == "project":
            command.add_argument(
                "--parent-pid",
                type=int,
                default=0,
                help="exit when this process is gone (set by `serve --projections process`)",
            )
        if name == "rebuild-projections":
            command.add_argument(
                "--encodings",
                action="store_true",
                help="rebuild the event encodings too (needed only when their version changes)",
            )
        if name == "verify":
            command.add_argument("--after", type=int, default=0, help="start after this position")
            command.add_argument("--up-to", type=int, default=0, help="stop here (0: the end)")
            command.add_argument(
                "--expect",
                metavar="POSITION:SHA256_HEX",
                help="a digest kept earlier (from GetLedgerDigest or a previous verify)",
            )
            command.add_argument(
                "--read-models",
                action="store_true",
                help="also rebuild the read models from the log and compare them row by row",
            )
        if name == "adopt-chain":
            command.add_argument(
                "--by", required=True, help="who adopts the chain (recorded with the adoption)"
            )
        if name == "export-credits":
            command.add_argument(
                "--from", dest="period_from", help="periods starting at or after (ISO 8601, UTC)"
            )
            command.add_argument(
                "--to", dest="period_to", help="periods starting before (ISO 8601, UTC)"
            )
            command.add_argument("--customer", help="only this customer")
            command.add_argument("--currency", help="only this currency")
            command.add_argument("--output", help="CSV file to write; - or absent for stdout")
    return parser


def package_version() -> str:
    """The installed sla-ledger package's version (its metadata, from pyproject.toml)."""
    try:
        return importlib.metadata.version("sla-ledger")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def storage_of(database_url: str) -> Storage:
    """The storage a URL names, or exit with the reason it names none."""
    try:
        return parse_database_url(database_url)
    except DatabaseUrlError as error:
        raise SystemExit(f"sla-ledger: {error}") from None


def existing_ledger(database_url: str) -> str:
    """The URL of a ledger that must exist already: a SQLite file that is missing is refused
    rather than created (empty) by a command that reads it."""
    storage = storage_of(database_url)
    if not storage.is_postgres and not Path(storage.env["SQLITE_DBNAME"]).is_file():
        raise SystemExit(f"sla-ledger: no ledger at {storage.env['SQLITE_DBNAME']}")
    return database_url


def open_application(
    database_url: str, max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW
) -> LedgerApplication:
    """The ledger application on the storage the URL names, its tables created once."""
    storage = storage_of(database_url)
    logger.info("opening storage", extra={"database": storage.describe()})
    with SchemaLock(storage):
        return LedgerApplication(
            env={**storage.env, "CREATE_TABLE": "y"}, max_clock_skew=max_clock_skew
        )


def open_read_models(app: LedgerApplication, database_url: str) -> ReadModels:
    """The read models beside the application, their tables created once."""
    read_models = ReadModels(app, storage_of(database_url))
    read_models.create()
    return read_models


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until SIGTERM or SIGINT."""
    config = serve_config(arguments, os.environ)
    configure_logging(config.log_level)
    # Block the stop signals before any thread starts, so every thread inherits the mask and a
    # signal arriving at any time, even during start-up, waits for sigwait below: no handler
    # runs in the middle of other code, and none is missed.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    app = open_application(config.database_url, timedelta(seconds=config.max_clock_skew_seconds))
    read_models = open_read_models(app, config.database_url)
    running = start_server(app, config, read_models=read_models)
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
        closer.start()
    digest_log = None
    if config.digest_log_interval_seconds > 0:
        digest_log = DigestLog(app.ledger_digest, config.digest_log_interval_seconds)
        digest_log.start()
    received = signal.sigwait(STOP_SIGNALS)
    if digest_log is not None:  # first, so that no digest line follows "shutting down"
        digest_log.stop()
    logger.info("shutting down", extra={"signal": signal.Signals(received).name})
    if closer is not None:
        closer.stop()
    running.stop(config.shutdown_grace_seconds)
    if projection_process is not None:
        projection_process.stop()
    return 0


def project(arguments: argparse.Namespace) -> int:
    """Keep the read models current until SIGTERM or SIGINT (a separate worker)."""
    configure_logging(arguments.log_level)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    database_url = existing_ledger(_database_url(arguments))
    app = open_application(database_url)
    read_models = open_read_models(app, database_url)
    read_models.start()
    if arguments.parent_pid:
        _exit_with_parent(arguments.parent_pid)
    logger.info("projecting", extra={"position": read_models.position()})
    received = signal.sigwait(STOP_SIGNALS)
    logger.info("shutting down", extra={"signal": signal.Signals(received).name})
    read_models.stop()
    app.close()
    return 0


def _exit_with_parent(parent_pid: int) -> None:
    """Send this process SIGTERM once its parent is gone (the parent may have been killed)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def rebuild_projections(arguments: argparse.Namespace) -> int:
    """Drop every read model and rebuild it from the log."""
    configure_logging(arguments.log_level)
    database_url = existing_ledger(_database_url(arguments))
    app = open_application(database_url)
    read_models = open_read_models(app, database_url)
    applied = read_models.rebuild(encodings=arguments.encodings)
    summary = {
        "events_applied": applied,
        "position": read_models.position(),
        "checksum": checksum(read_models.engine),
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    read_models.stop()
    app.close()
    return 0


def hash_token(arguments: argparse.Namespace) -> int:
    """Print the SHA-256 (hex) of the token on standard input, for the token file."""
    token = sys.stdin.readline().strip()
    if not token:
        raise SystemExit("sla-ledger: give the token on standard input")
    sys.stdout.write(token_digest(token).hex() + "\n")
    return 0


def verify_ledger(arguments: argparse.Namespace) -> int:
    """Recompute the hash chain, reading the database only; print the outcome as JSON; exit 1
    when it differs or the database cannot be read."""
    configure_logging(arguments.log_level)
    expected = None
    if arguments.expect:
        position, _, hex_hash = arguments.expect.partition(":")
        try:
            expected = Digest(int(position), bytes.fromhex(hex_hash))
        except ValueError:
            raise SystemExit("sla-ledger: --expect takes POSITION:SHA256_HEX") from None
    storage = storage_of(_database_url(arguments))
    audit = None
    try:
        result = verify_storage(storage.env, arguments.after, arguments.up_to, expected)
        if arguments.read_models:
            audit = _audit_read_models(storage)
    except NoLedgerError as error:
        raise SystemExit(f"sla-ledger: {error}") from None
    except (LogUnreadableError, PersistenceError) as error:
        unreadable = {"ok": False, "first_bad_position": 0, "problem": str(error), "digest": ""}
        unreadable["adoption"] = None
        sys.stdout.write(json.dumps(unreadable) + "\n")
        return 1
    summary = {
        "ok": result.ok,
        "first_bad_position": result.first_bad_position,
        "problem": result.problem,
        "digest": f"{result.digest.position}:{result.digest.hex}",
        "adoption": None if result.adoption is None else _adoption_json(result.adoption),
    }
    if audit is not None:
        summary["read_models"] = audit.summary()
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0 if result.ok and (audit is None or audit.ok) else 1


def _audit_read_models(storage: Storage) -> Audit:
    """Compare the stored read models with the log's, creating and writing nothing there."""
    app = LedgerApplication({**storage.env, "CREATE_TABLE": "n"})  # the tables exist
    read_models = ReadModels(app, storage)
    try:
        return read_models.audit()
    finally:
        read_models.stop()
        app.close()


def adopt_chain(arguments: argparse.Namespace) -> int:
    """Chain a log written before the chain existed, once; print the adoption as JSON."""
    configure_logging(arguments.log_level)
    by = arguments.by.strip()
    if not 0 < len(by) <= MAX_ADOPTER_CHARACTERS or not by.isprintable():
        raise SystemExit(
            f"sla-ledger: --by takes a name of 1 to {MAX_ADOPTER_CHARACTERS} printable characters"
        )
    app = open_application(existing_ledger(_database_url(arguments)))
    try:
        adoption = app.adopt_chain(by)
    except AdoptionRefusedError as error:
        raise SystemExit(f"sla-ledger: adopt-chain refused: {error}") from None
    finally:
        app.close()
    sys.stdout.write(json.dumps(_adoption_json(adoption)) + "\n")
    return 0


def _adoption_json(adoption: Adoption) -> dict[str, object]:
    return {
        "by": adoption.by,
        "at": adoption.at,
        "events": adoption.events,
        "through_position": adoption.through.position,
        "digest": f"{adoption.through.position}:{adoption.through.hex}",
    }


def export_credits(arguments: argparse.Namespace) -> int:
    """Write the credit ledger of a period range as CSV."""
    configure_logging(arguments.log_level)
    database_url = existing_ledger(_database_url(arguments))
    app = open_application(database_url)
    read_models = open_read_models(app, database_url)
    read_models.catch_up()
    where = CreditFilter(
        period_start_from=_instant(arguments.period_from, "--from"),
        period_start_before=_instant(arguments.period_to, "--to"),
        customer_id=arguments.customer or "",
        currency=arguments.currency or "",
    )
    with contextlib.ExitStack() as stack:
        output = (
            sys.stdout
            if arguments.output in (None, "-")
            else stack.enter_context(Path(arguments.output).open("w", newline=""))
        )
        rows = write_credits_csv(read_models.engine, where, output)
    logger.info("credits exported", extra={"rows": rows, "position": read_models.position()})
    read_models.stop()
    app.close()
    return 0


def _database_url(arguments: argparse.Namespace) -> str:
    return str(
        arguments.database_url or os.environ.get("SLA_LEDGER_DATABASE_URL") or DEFAULT_DATABASE_URL
    )


def _instant(text: str | None, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"sla-ledger: {flag}: {text!r} is not an ISO 8601 date or time") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sla-ledger` console script."""
    arguments = build_parser().parse_args(argv)
    if arguments.command != "serve":
        arguments.log_level = command_log_level(arguments.log_level, os.environ)
    commands = {
        "hash-token": hash_token,
        "verify": verify_ledger,
        "adopt-chain": adopt_chain,
        "serve": serve,
        "project": project,
        "rebuild-projections": rebuild_projections,
        "export-credits": export_credits,
    }
    return commands[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())
