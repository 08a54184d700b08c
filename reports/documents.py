"""A statement as a document to hand over: its bytes, media type and file name per format.

The renderers (and matplotlib and fpdf2 with them) are loaded on first use only, so that a
process that never writes a statement (`sla-ledger serve`) starts without them.
"""

from __future__ import annotations

import re

from reports.statement import Statement

FORMATS = ("csv", "html", "pdf")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


def render(statement: Statement, document_format: str) -> bytes:
    """The statement as a document of that format ("csv", "html" or "pdf")."""
    if document_format == "pdf":
        from reports.pdf_statement import render_pdf

        return render_pdf(statement)
    if document_format == "html":
        from reports.html_statement import render_html

        return render_html(statement).encode("utf-8")
    if document_format == "csv":
        from reports.csv_statement import render_csv

        return render_csv(statement).encode("utf-8")
    raise ValueError(f"no statement format {document_format!r}: one of {', '.join(FORMATS)}")


def file_name(statement: Statement, document_format: str) -> str:
    """A file name for the document: statement-WHOSE-PERIOD-POSITION.FORMAT (safe characters)."""
    whose = "-".join(section.agreement.agreement_id for section in statement.agreements[:3])
    stem = f"statement-{whose or 'none'}-{statement.period_label}-{statement.digest.position}"
    return f"{_UNSAFE.sub('_', stem)}.{document_format}"
