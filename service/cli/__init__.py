"""The `sla-ledger` command line."""

from __future__ import annotations

import service.api.grpc_core_logs  # noqa: F401 - first, before grpc is loaded  # isort: skip

import argparse
import importlib
import importlib.metadata
from collections.abc import Callable, Sequence
from typing import cast

from reports.cli import add_report_arguments
from service.cli.openslo_command import add_openslo_command
from service.cli.portal_command import add_portal_command
from service.config import add_serve_arguments, command_log_level
from service.store.storage import DEFAULT_DATABASE_URL

# Each command's module is imported only when it runs: `serve` and its projection process start
# without the audit, the maintenance commands or the clients of the portal and the reports.
COMMANDS = {
    "hash-token": ("service.cli.maintenance", "hash_token"),
    "verify": ("service.cli.ledger_checks", "verify_ledger"),
    "adopt-chain": ("service.cli.ledger_checks", "adopt_chain"),
    "serve": ("service.cli.running", "serve"),
    "project": ("service.cli.running", "project"),
    "rebuild-projections": ("service.cli.maintenance", "rebuild_projections"),
    "export-credits": ("service.cli.maintenance", "export_credits"),
    "portal": ("service.cli.portal_command", "portal"),
    "report": ("reports.cli", "run_report"),
    "openslo": ("service.cli.openslo_command", "openslo"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="sla-ledger", description="Event-sourced ledger of service level agreements."
    )
    parser.add_argument("--version", action="version", version=f"sla-ledger {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gRPC server")
    add_serve_arguments(serve)
    report = commands.add_parser(
        "report", help="write a statement read from a running ledger (HTML, PDF or CSV)"
    )
    add_report_arguments(report)
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
    add_portal_command(commands)
    add_openslo_command(commands)
    return parser


def package_version() -> str:
    """The installed sla-ledger package's version (its metadata, from pyproject.toml)."""
    try:
        return importlib.metadata.version("sla-ledger")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sla-ledger` console script."""
    arguments = build_parser().parse_args(argv)
    if arguments.command != "serve":
        arguments.log_level = command_log_level(arguments.log_level)
    module, function = COMMANDS[arguments.command]
    run = getattr(importlib.import_module(module), function)
    return cast(Callable[[argparse.Namespace], int], run)(arguments)
