"""A statement handed over as a document: the format's bytes and a file name."""

from __future__ import annotations

import pytest

from reports.documents import file_name, render
from tests.unit.reports.sample_statement import sample_statement


def test_a_document_is_named_for_its_agreement_period_and_digest_position() -> None:
    assert file_name(sample_statement(), "pdf") == "statement-sla-acme-2026-03-42.pdf"


@pytest.mark.parametrize(
    ("document_format", "opening"),
    [("pdf", b"%PDF-"), ("html", b"<!doctype html>"), ("csv", b"digest,known_at,as_of,")],
)
def test_each_format_renders_its_own_kind_of_document(document_format: str, opening: bytes) -> None:
    assert render(sample_statement(), document_format).startswith(opening)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="one of csv, html, pdf"):
        render(sample_statement(), "docx")
