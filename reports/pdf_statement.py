"""A statement as a PDF document (fpdf2, DejaVu fonts as matplotlib ships them, PNG charts)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from reports import shown
from reports.charts import attainment_png, attainment_title, burn_up_png, burn_up_title
from reports.statement import AgreementStatement, ObjectiveStatement, Statement

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
SANS = "DejaVu"
MONO = "DejaVuMono"
HEADINGS = (16, 40, 94)  # #10305e, as on the HTML page
HEADER_FILL = (232, 237, 245)
CHART_WIDTH_MM = 170.0


def render_pdf(statement: Statement) -> bytes:
    """The statement as a PDF document."""
    pdf = _document(statement)
    _front(pdf, statement)
    for section in statement.agreements:
        _agreement(pdf, section)
    _verification(pdf, statement)
    return bytes(pdf.output())


def _document(statement: Statement) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(SANS, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(SANS, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font(MONO, "", str(FONTS / "DejaVuSansMono.ttf"))
    pdf.set_title(statement.title)
    pdf.set_lang("en")
    pdf.set_creator("sla-ledger report")
    pdf.set_creation_date(statement.known_at)  # not the time of rendering: the same bytes again
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.set_font(SANS, "B", size)
    pdf.set_text_color(*HEADINGS)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def _text(pdf: FPDF, text: str, size: int = 9, font: str = SANS) -> None:
    pdf.set_font(font, "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _front(pdf: FPDF, statement: Statement) -> None:
    _heading(pdf, statement.title, 18)
    _table(
        pdf,
        ("", ""),
        [
            ("Period", statement.period_label),
            ("As of (business time)", shown.instant(statement.as_of)),
            ("Known at (record time)", shown.instant(statement.known_at)),
            ("Ledger digest", statement.digest.text),
            ("Digest recorded at", shown.instant(statement.digest.recorded_at)),
        ],
        widths=(45, 135),
        header=False,
    )


def _agreement(pdf: FPDF, section: AgreementStatement) -> None:
    agreement = section.agreement
    _heading(pdf, f"Agreement {agreement.agreement_id}", 14)
    customer = (
        f"{agreement.customer.display_name} ({agreement.customer.party_id})"
        if agreement.customer
        else f"{section.customer_id} (subscriber)"
    )
    provider = f"{agreement.provider.display_name} ({agreement.provider.party_id})"
    terms = f"{agreement.terms_version} (from {shown.instant(agreement.terms_effective_from)})"
    rows = [
        ("Kind", agreement.kind),
        ("Provider", provider),
        ("Customer", customer),
        ("Status", agreement.status),
        ("Terms version", terms),
        ("Fee", shown.money(agreement.fee) if agreement.fee else shown.NONE),
        ("Time zone", agreement.time_zone),
    ]
    _table(pdf, ("", ""), rows, widths=(45, 135), header=False)
    for objective in section.objectives:
        _objective(pdf, objective)
    _money_and_exclusions(pdf, section)


def _objective(pdf: FPDF, objective: ObjectiveStatement) -> None:
    title = objective.objective_id
    if objective.description:
        title = f"{title}: {objective.description}"
    _heading(pdf, title, 11)
    state = objective.state
    _text(
        pdf,
        f"Period {objective.period_label}, {shown.instant(objective.window_start)} to "
        f"{shown.instant(objective.window_end)}, judged by terms version "
        f"{objective.terms_version}: {objective.status} ({state}).",
    )
    headers = (
        "Track",
        "Attained",
        "Target",
        "Good",
        "Total",
        "Readings",
        "Excluded",
        "Budget",
        "Status",
    )
    rows = [
        (
            f"{shown.label(t.track)} ({shown.label(t.indicator)})",
            shown.figure(t.attained),
            shown.figure(t.target),
            shown.figure(t.good),
            shown.figure(t.total),
            str(t.readings),
            str(t.excluded),
            shown.percent(t.budget_remaining_percent),
            t.status,
        )
        for t in objective.tracks
    ]
    _table(pdf, headers, rows, widths=(36, 20, 16, 18, 18, 17, 17, 22, 16))
    for series in objective.burn_up:
        _chart(pdf, burn_up_png(series), burn_up_title(series))
    if objective.history:
        history = objective.history
        title = attainment_title(objective.objective_id, history)
        _chart(pdf, attainment_png(history, objective.objective_id), title)


def _money_and_exclusions(pdf: FPDF, section: AgreementStatement) -> None:
    _heading(pdf, "Breaches", 11)
    breach_rows = [
        (
            b.objective_id,
            b.period_label,
            shown.label(b.track),
            shown.figure(b.attained),
            shown.figure(b.target),
            str(b.terms_version),
            shown.instant(b.recorded_at),
            "yes" if b.retracted else "no",
        )
        for b in section.breaches
    ]
    breach_headers = (
        "Objective",
        "Period",
        "Track",
        "Attained",
        "Target",
        "Terms",
        "Recorded",
        "Retracted",
    )
    _table_or(pdf, breach_headers, breach_rows, (26, 18, 22, 22, 18, 14, 40, 20), "No breach.")
    _heading(pdf, "Credits and bonuses", 11)
    credit_rows = [
        (
            c.objective_id,
            c.period_label,
            shown.label(c.kind),
            shown.money(c.amount),
            c.policy_line,
            shown.instant(c.recorded_at),
            c.state or shown.NONE,
        )
        for c in section.credits
    ]
    credit_headers = ("Objective", "Period", "Line", "Amount", "Policy", "Recorded", "State")
    _table_or(pdf, credit_headers, credit_rows, (24, 16, 26, 26, 36, 34, 18), "No credit or bonus.")
    if section.credit_totals or section.bonus_totals:
        credits = ", ".join(shown.money(m) for m in section.credit_totals) or "none"
        bonuses = ", ".join(shown.money(m) for m in section.bonus_totals) or "none"
        _text(
            pdf,
            f"Net credits owed to the customer: {credits}. Net bonuses owed to the "
            f"provider: {bonuses}.",
        )
    _heading(pdf, "Claims", 11)
    claim_rows = [
        (
            c.objective_id,
            c.period_label,
            c.step,
            shown.money(c.amount),
            c.detail,
            shown.instant(c.recorded_at),
        )
        for c in section.claims
    ]
    claim_headers = ("Objective", "Period", "Step", "Amount", "Detail", "Recorded")
    _table_or(pdf, claim_headers, claim_rows, (26, 18, 20, 28, 48, 40), "No claim.")
    _heading(pdf, "Exclusions", 11)
    exclusion_rows = [
        (
            e.exclusion_id,
            shown.label(e.kind),
            shown.instant(e.start),
            shown.instant(e.end),
            e.reason,
            shown.instant(e.recorded_at),
            shown.lag(e.record_lag),
            shown.label(e.standing),
        )
        for e in section.exclusions
    ]
    exclusion_headers = ("Exclusion", "Kind", "From", "To", "Reason", "Recorded", "Lag", "Standing")
    widths = (16, 19, 31, 31, 20, 31, 17, 15)
    _table_or(pdf, exclusion_headers, exclusion_rows, widths, "No exclusion.")


def _verification(pdf: FPDF, statement: Statement) -> None:
    _heading(pdf, "Holding this statement to the ledger", 14)
    _text(
        pdf,
        f"Every figure above was read from the ledger as it knew them at "
        f"{shown.instant(statement.known_at)}, the record time of the event at log position "
        f"{statement.digest.position}. An auditor with access to the ledger's database checks "
        f"that the history up to it is intact and unchanged with the command below; it exits 0 "
        f"when the hash chain holds exactly this hash at this position, 1 otherwise.",
    )
    _text(pdf, shown.verify_command(statement.digest), size=8, font=MONO)


def _chart(pdf: FPDF, png: bytes, title: str) -> None:
    pdf.image(io.BytesIO(png), w=CHART_WIDTH_MM, title=title, alt_text=title)
    pdf.ln(2)


def _table_or(
    pdf: FPDF,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    empty: str,
) -> None:
    if rows:
        _table(pdf, headers, rows, widths)
    else:
        _text(pdf, empty)


def _table(
    pdf: FPDF,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    header: bool = True,
) -> None:
    pdf.set_font(SANS, "", 7.5 if header else 9)
    style = FontFace(emphasis="BOLD", fill_color=HEADER_FILL)
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        first_row_as_headings=header,
        headings_style=style,
        line_height=pdf.font_size * 1.5,
    ) as table:
        if header:
            table.row(list(headers))
        for row in rows:
            table.row(list(row))
    pdf.ln(2)
