"""`sla-ledger openslo export|import`: wires interchange/openslo_cli.py into the command line.
YAML and the mapping are imported only when the command runs."""

from __future__ import annotations

import argparse

from reports.defaults import DEFAULT_TIMEOUT_SECONDS


def add_openslo_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The openslo subcommand, its export and import, and their flags."""
    parser = commands.add_parser(
        "openslo", help="objectives out to and in from OpenSLO v1 YAML (docs/openslo.md)"
    )
    parser.set_defaults(log_level=None)
    actions = parser.add_subparsers(dest="openslo_command", required=True)
    export = actions.add_parser(
        "export", help="write an agreement's objectives as OpenSLO v1 SLO documents"
    )
    export.add_argument("--ledger", default="", metavar="HOST:PORT", help="read from this ledger")
    export.add_argument("--ledger-ca", default="", metavar="PEM", help="CA of the ledger's TLS")
    export.add_argument(
        "--ledger-server-name", default="", help="the name in the ledger's TLS certificate"
    )
    export.add_argument("--agreement", default="", help="the agreement (with --ledger)")
    export.add_argument(
        "--as-of", default="", help="business instant of the terms (ISO 8601; default now)"
    )
    export.add_argument(
        "--terms-file", default="", help="AgreementTerms JSON (or a request holding terms)"
    )
    export.add_argument(
        "--token-file", default="", help="file holding the bearer token (else $SLA_LEDGER_TOKEN)"
    )
    export.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds for the call"
    )
    export.add_argument("--output", default="-", help="YAML file to write; - for standard output")
    imported = actions.add_parser(
        "import", help="read OpenSLO v1 YAML and print objectives as AgreementTerms JSON"
    )
    imported.add_argument("file", help="OpenSLO YAML (multi-document); - for standard input")
    imported.add_argument(
        "--into-terms",
        default="",
        metavar="FILE",
        help="terms JSON to merge the objectives into (printed merged, in the file's shape)",
    )
    imported.add_argument("--strict", action="store_true", help="exit 1 when anything does not map")


def openslo(arguments: argparse.Namespace) -> int:
    """Run the openslo command (imported here: YAML is loaded only by this command)."""
    from interchange.openslo_cli import run_openslo

    return run_openslo(arguments)
