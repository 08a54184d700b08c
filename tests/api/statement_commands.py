"""What the statement API tests share: the module's seeded server, and `sla-ledger` run in
this process or as a process against it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from service.cli import main
from tests.api import statement_ledger as ledger

CLI = (sys.executable, "-m", "service.cli")
DEADLINE_SECONDS = 60


@dataclass(frozen=True)
class Seeded:
    """The module's server, its database and what was written."""

    target: str
    database_url: str
    seeded: ledger.SeededLedger
    workdir: Path
    documents: dict[tuple[str, ...], tuple[str, Path]]  # statements written, by their flags


def in_process(arguments: Sequence[str], token: str = "auditor") -> tuple[int, str, str]:
    """`sla-ledger ARGUMENTS` run by service.cli.main in this process: (exit code, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    env = {"SLA_LEDGER_TOKEN": ledger.token(token)}
    with mock.patch.dict(os.environ, env), redirect_stdout(out), redirect_stderr(err):
        code = main(list(arguments))
    return code, out.getvalue(), err.getvalue()


def run(command: Sequence[str], token: str = "auditor") -> subprocess.CompletedProcess[str]:
    """A command run as a process to its end, with the token of that name."""
    env = {**os.environ, "SLA_LEDGER_TOKEN": ledger.token(token)}
    return subprocess.run(
        list(command), env=env, capture_output=True, text=True, timeout=DEADLINE_SECONDS
    )


def report_arguments(seeded: Seeded, document_format: str, output: Path) -> list[str]:
    """The arguments of `sla-ledger report` for the seeded agreement's March."""
    return [
        "report",
        "--ledger",
        seeded.target,
        "--agreement",
        ledger.AGREEMENT,
        "--period",
        ledger.PERIOD,
        "--format",
        document_format,
        "--output",
        str(output),
    ]


def written(seeded: Seeded, document_format: str, *extra: str) -> tuple[str, Path]:
    """The statement written in that format, in this process: its digest and its file."""
    key = (document_format, *extra)
    if key not in seeded.documents:
        output = seeded.workdir / f"statement-{len(seeded.documents)}.{document_format}"
        code, out, err = in_process([*report_arguments(seeded, document_format, output), *extra])
        assert code == 0, err
        seeded.documents[key] = (json.loads(out)["digest"], output)
    return seeded.documents[key]


def csv_rows(seeded: Seeded, *extra: str) -> list[dict[str, str]]:
    """The rows of the CSV statement (written once per set of flags)."""
    _, output = written(seeded, "csv", *extra)
    return list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool; skipped without it (failed under CI=true)."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{tool} (poppler-utils) is required under CI=true")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found
