"""`sla-ledger portal`: wires the portal's command (portal/cli.py) into the command line."""

from __future__ import annotations

import argparse

from portal.cli import add_portal_arguments, run_portal
from service.logs import configure_logging


def add_portal_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The portal subcommand and its flags."""
    parser = commands.add_parser(
        "portal", help="serve the customer portal (HTTP), a client of a running ledger"
    )
    add_portal_arguments(parser)


def portal(arguments: argparse.Namespace) -> int:
    """Log as the other commands do, then serve the portal."""
    configure_logging(arguments.log_level)
    return run_portal(arguments)
