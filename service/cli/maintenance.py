"""`sla-ledger rebuild-projections`, `export-credits` and `hash-token`."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path

from projections.exports import write_credits_csv
from projections.queries import CreditFilter
from projections.runner import checksum
from service.api.auth import token_digest
from service.bootstrap import open_application, open_read_models
from service.cli.common import existing_ledger, instant
from service.logs import configure_logging

logger = logging.getLogger("sla_ledger")


def rebuild_projections(arguments: argparse.Namespace) -> int:
    """Drop every read model and rebuild it from the log."""
    configure_logging(arguments.log_level)
    storage = existing_ledger(arguments)
    app = open_application(storage)
    read_models = open_read_models(app, storage)
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


def export_credits(arguments: argparse.Namespace) -> int:
    """Write the credit ledger of a period range as CSV."""
    configure_logging(arguments.log_level)
    storage = existing_ledger(arguments)
    app = open_application(storage)
    read_models = open_read_models(app, storage)
    read_models.catch_up()
    where = CreditFilter(
        period_start_from=instant(arguments.period_from, "--from"),
        period_start_before=instant(arguments.period_to, "--to"),
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
