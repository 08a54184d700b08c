"""`sla-ledger report`: a statement read from a running ledger over gRPC, written as HTML, PDF
or CSV. The token comes from SLA_LEDGER_TOKEN or --token-file, never from the command line
(where other users of the machine would see it)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import grpc

from reports.defaults import DEFAULT_TIMEOUT_SECONDS
from reports.documents import FORMATS

TOKEN_VARIABLE = "SLA_LEDGER_TOKEN"


def add_report_arguments(command: argparse.ArgumentParser) -> None:
    """The `report` subcommand's flags."""
    command.add_argument("--ledger", required=True, metavar="HOST:PORT", help="the ledger's gRPC")
    command.add_argument("--ledger-ca", default="", metavar="PEM", help="CA of the ledger's TLS")
    command.add_argument(
        "--ledger-server-name", default="", help="the name in the ledger's TLS certificate"
    )
    command.add_argument("--agreement", default="", help="the agreement stated")
    command.add_argument(
        "--customer",
        default="",
        help="the customer stated: every agreement of it, or with --agreement a service SLA's "
        "subscriber",
    )
    command.add_argument(
        "--period", required=True, help="period label: 2026-03-29, 2026-W13, 2026-03 or 2026-Q1"
    )
    command.add_argument("--objective", default="", help="only this objective")
    command.add_argument(
        "--as-of", default="", help="business instant (ISO 8601; default: the period's end)"
    )
    command.add_argument(
        "--known-at",
        default="",
        help="record instant (ISO 8601; default and latest: the ledger digest's record time)",
    )
    command.add_argument("--format", required=True, choices=FORMATS)
    command.add_argument("--output", required=True, help="file to write; - for standard output")
    command.add_argument(
        "--token-file", default="", help=f"file holding the bearer token (else ${TOKEN_VARIABLE})"
    )
    command.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds per call"
    )
    command.set_defaults(log_level=None)


def run_report(arguments: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """Read the statement, write it, print its digest as JSON; exit 1 when the ledger cannot
    give it (the reason on standard error)."""
    if not arguments.agreement and not arguments.customer:
        raise SystemExit("sla-ledger report: name --agreement or --customer")
    # Imported here: every `sla-ledger` command builds this module's flags, and `serve` and
    # `project` should start without the client and the statement's reads.
    from reports.connection import LedgerAddress, LedgerConnection
    from reports.documents import render
    from reports.statement import StatementError
    from reports.statement_reads import StatementRequest, read_statement

    request = StatementRequest(
        period_label=arguments.period,
        agreement_id=arguments.agreement,
        customer_id=arguments.customer,
        objective_id=arguments.objective,
        as_of=_instant(arguments.as_of, "--as-of"),
        known_at=_instant(arguments.known_at, "--known-at"),
    )
    token = _token(arguments.token_file, os.environ if env is None else env)
    address = LedgerAddress(arguments.ledger, arguments.ledger_ca, arguments.ledger_server_name)
    try:
        with LedgerConnection(address.channel(), token, arguments.timeout) as connection:
            statement = read_statement(connection, request)
    except StatementError as error:
        sys.stderr.write(f"sla-ledger report: {error}\n")
        return 1
    except grpc.RpcError as error:
        sys.stderr.write(f"sla-ledger report: the ledger answered {_status(error)}\n")
        return 1
    document = render(statement, arguments.format)
    if arguments.output == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return 0
    Path(arguments.output).write_bytes(document)
    summary = {
        "output": arguments.output,
        "format": arguments.format,
        "digest": statement.digest.text,
        "known_at": statement.known_at.isoformat(),
        "agreements": [section.agreement.agreement_id for section in statement.agreements],
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


def _token(token_file: str, env: Mapping[str, str]) -> str:
    if not token_file:
        return env.get(TOKEN_VARIABLE, "").strip()
    try:
        return Path(token_file).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SystemExit(f"sla-ledger report: --token-file: {error.strerror}") from None


def _instant(text: str, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"sla-ledger report: {flag}: {text!r} is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _status(error: grpc.RpcError) -> str:
    code = error.code() if isinstance(error, grpc.Call) else None
    details = error.details() if isinstance(error, grpc.Call) else str(error)
    return f"{code.name if code else 'an error'}: {details}"
