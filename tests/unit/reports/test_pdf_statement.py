"""The PDF statement: a PDF whose text holds the digest and the figures, the same every time."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reports.pdf_statement import render_pdf
from tests.unit.reports.sample_statement import sample_statement


def _text(tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "statement.pdf"
    path.write_bytes(render_pdf(sample_statement()))
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


def test_the_pdf_is_a_pdf() -> None:
    assert render_pdf(sample_statement()).startswith(b"%PDF-")


def test_the_pdf_is_the_same_every_time_it_is_rendered() -> None:
    assert render_pdf(sample_statement()) == render_pdf(sample_statement())


def test_the_pdf_text_holds_the_verify_command_with_the_digest(tmp_path: Path) -> None:
    assert f"sla-ledger verify --expect 42:{'ab' * 32}" in _text(tmp_path)


def test_the_pdf_text_holds_the_figures_of_a_track(tmp_path: Path) -> None:
    line = next(line for line in _text(tmp_path).splitlines() if "scheduled (ratio)" in line)

    assert line.split() == [
        "scheduled",
        "(ratio)",
        "99.502488",
        "99.9",
        "43200",
        "43416",
        "43416",
        "60",
        "-397.512438%",
        "breached",
    ]


def test_the_pdf_text_holds_the_credit_and_the_net_total(tmp_path: Path) -> None:
    text = _text(tmp_path)

    assert "USD 100.00" in text and "Net credits owed to the customer: USD 100.00." in text
