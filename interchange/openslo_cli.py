"""`sla-ledger openslo export` and `sla-ledger openslo import` (docs/openslo.md).

Exit status: 0 done (what did not map is on standard error); 1 the ledger refused the read, or
`import --strict` found something that does not map; 2 bad input (flags, files, documents).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import grpc

from interchange.ledger_terms import AgreementTerms, read_agreement
from interchange.openslo_documents import DocumentError
from interchange.openslo_export import export_terms
from interchange.openslo_import import import_documents
from interchange.openslo_report import Unmapped
from interchange.terms_json import TermsDocument, TermsFileError, merge_objectives, read_terms
from interchange.yaml_io import YamlInputError, dump_documents, load_documents
from reports.connection import LedgerAddress, LedgerConnection

TOKEN_VARIABLE = "SLA_LEDGER_TOKEN"
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class UsageError(Exception):
    """Input refused at the door: exit 2 with the message."""


def run_openslo(arguments: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """Run `openslo export` or `openslo import`; the exit status."""
    name = f"sla-ledger openslo {arguments.openslo_command}"
    try:
        if arguments.openslo_command == "export":
            return _export(arguments, os.environ if env is None else env, name)
        return _import(arguments, name)
    except UsageError as error:
        sys.stderr.write(f"{name}: {error}\n")
        return 2


def _report(name: str, unmapped: list[Unmapped]) -> None:
    for item in unmapped:
        sys.stderr.write(f"{name}: {item.line()}\n")


def _read(path: str, flag: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"{flag} {path}: {error.strerror}") from None


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--output {path}: {error.strerror}") from None


def _export(arguments: argparse.Namespace, env: Mapping[str, str], name: str) -> int:
    if bool(arguments.terms_file) == bool(arguments.ledger):
        raise UsageError("give exactly one of --terms-file and --ledger (with --agreement)")
    if arguments.terms_file:
        if arguments.as_of:
            raise UsageError("--as-of reads a ledger's terms; a terms file has one version")
        try:
            document = read_terms(_read(arguments.terms_file, "--terms-file"))
        except TermsFileError as error:
            raise UsageError(f"--terms-file {arguments.terms_file}: {error}") from None
        exported = export_terms(document.terms, agreement_id=arguments.agreement)
    else:
        if not arguments.agreement:
            raise UsageError("--ledger needs --agreement")
        if not 0 < arguments.timeout <= 3600:
            raise UsageError("--timeout: seconds above 0, at most 3600")
        read = _read_ledger(arguments, env, name)
        if read is None:
            return 1
        exported = export_terms(
            read.terms,
            agreement_id=read.agreement_id,
            terms_version=read.terms_version,
            exclusions=read.exclusions,
        )
    if not exported.documents:
        sys.stderr.write(f"{name}: the terms have no objectives; nothing written\n")
    _report(name, exported.unmapped)
    _write(arguments.output, dump_documents(exported.documents) if exported.documents else "")
    return 0


def _read_ledger(
    arguments: argparse.Namespace, env: Mapping[str, str], name: str
) -> AgreementTerms | None:
    as_of = _instant(arguments.as_of, "--as-of")
    token = _token(arguments.token_file, env)
    address = LedgerAddress(arguments.ledger, arguments.ledger_ca, arguments.ledger_server_name)
    try:
        with LedgerConnection(address.channel(), token, arguments.timeout) as connection:
            return read_agreement(connection, arguments.agreement, as_of)
    except grpc.RpcError as error:
        code = error.code() if isinstance(error, grpc.Call) else None
        details = error.details() if isinstance(error, grpc.Call) else str(error)
        sys.stderr.write(
            f"{name}: the ledger answered {code.name if code else 'an error'}: {details}\n"
        )
        return None


def _import(arguments: argparse.Namespace, name: str) -> int:
    base = None
    if arguments.into_terms:
        try:
            base = read_terms(_read(arguments.into_terms, "--into-terms"))
        except TermsFileError as error:
            raise UsageError(f"--into-terms {arguments.into_terms}: {error}") from None
    text = _read(arguments.file, "input")
    try:
        documents = load_documents(text)
        imported = import_documents(documents, base.terms if base else None)
    except (YamlInputError, DocumentError) as error:
        raise UsageError(f"{arguments.file}: {error}") from None
    if not imported.terms.objectives and not imported.terms.tiers:
        sys.stderr.write(f"{name}: no SLO documents: no objectives\n")
    _report(name, imported.unmapped)
    if base is not None:
        _write("-", base.to_json(merge_objectives(base.terms, imported.terms)))
    else:
        _write("-", TermsDocument(imported.terms, None).to_json(imported.terms))
    return 1 if arguments.strict and imported.unmapped else 0


def _token(token_file: str, env: Mapping[str, str]) -> str:
    if not token_file:
        return env.get(TOKEN_VARIABLE, "").strip()
    try:
        return Path(token_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--token-file: {getattr(error, 'strerror', None) or error}") from None


def _instant(text: str, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag}: {text[:60]!r} is not ISO 8601") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not EARLIEST <= moment < LATEST:
        raise UsageError(f"{flag}: from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z")
    return moment
