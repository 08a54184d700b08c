"""`sla-ledger verify` and `sla-ledger adopt-chain`: the hash chain and the read models checked."""

from __future__ import annotations

import argparse
import json
import sys

from eventsourcing.persistence import PersistenceError

from projections.audit import Audit
from service.bootstrap import open_application, open_read_models
from service.cli.common import database_url, existing_ledger, storage_of
from service.logs import configure_logging
from service.store.chain_store import AdoptionRefusedError
from service.store.chain_verification import verify_storage
from service.store.ledger_chain import Adoption, Digest
from service.store.log_reader import LogUnreadableError, NoLedgerError
from service.store.storage import Storage

MAX_ADOPTER_CHARACTERS = 200


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
    storage = storage_of(database_url(arguments))
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
    app = open_application(storage, create_tables=False)  # the tables exist
    read_models = open_read_models(app, storage, create_tables=False)
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
    app = open_application(existing_ledger(arguments))
    try:
        adoption = app.audit.adopt_chain(by)
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
