"""The HTML statement: the figures, the charts inline, the digest and how to verify it."""

from __future__ import annotations

from dataclasses import replace

from reports.html_statement import render_html
from reports.statement import Party
from tests.unit.reports.sample_statement import sample_statement


def _page() -> str:
    return render_html(sample_statement())


def test_the_page_shows_the_digest_it_reflects() -> None:
    page = _page()

    assert f'data-testid="statement-digest">42:{"ab" * 32}<' in page


def test_the_page_says_how_to_verify_the_digest() -> None:
    assert f"sla-ledger verify --expect 42:{'ab' * 32}" in _page()


def test_the_page_shows_the_attainment_and_target_of_a_track() -> None:
    page = _page()
    table = page[page.index('data-testid="statement-objective-uptime"') :]
    row = table[: table.index("</tr>", table.index("<tbody>"))]

    assert ">99.502488<" in row and ">99.9<" in row and ">-397.512438%<" in row


def test_the_page_holds_the_burn_up_chart_inline() -> None:
    assert '<title id="a1-o2-burn-up-1-title">Burn-up of tickets in 2026-03</title>' in _page()


def test_the_page_holds_the_attainment_per_period_chart_inline() -> None:
    expected = "Attainment of uptime per period, 2026-01 to 2026-03"

    assert f'<title id="a1-o1-history-title">{expected}</title>' in _page()


def test_the_page_shows_an_exclusions_record_lag() -> None:
    assert ">2d 00:00:00<" in _page()


def test_the_page_escapes_what_the_ledger_holds() -> None:
    statement = sample_statement()
    section = statement.agreements[0]
    hostile = replace(section.agreement, customer=Party("acme", "<script>alert(1)</script>"))
    changed = replace(statement, agreements=(replace(section, agreement=hostile),))

    page = render_html(changed)

    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_declares_its_language() -> None:
    assert _page().startswith('<!doctype html>\n<html lang="en">')
