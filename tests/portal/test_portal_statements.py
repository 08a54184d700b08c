"""Statement downloads from the portal: the reports/ renderers over the same reads as
`sla-ledger report`, at the ledger digest the page names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.portal.seed import GLOBEX, INITECH

STATEMENT = f"/agreements/{GLOBEX}/statement"


def digest_shown(client: FlaskClient) -> str:
    """POSITION:SHA256 as the digest page shows it."""
    html = client.get("/digest").get_data(as_text=True)
    found = re.search(r"--expect (\d+:[0-9a-f]{64})", html)
    assert found is not None
    return found[1]


def test_the_period_page_links_the_three_formats(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(
        signed_in("auditor").get(f"/agreements/{GLOBEX}/objectives/availability/periods/2026-10")
    )
    links = re.findall(r'href="([^"]+)"\s+data-testid="statement-(\w+)"', html)
    assert links == [(f"{STATEMENT}.{fmt}?period=2026-10", fmt) for fmt in ("html", "pdf", "csv")]


def test_a_csv_statement_downloads_as_a_file_naming_its_digest(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("auditor")
    digest = digest_shown(client)
    answer = client.get(f"{STATEMENT}.csv?period=2026-10")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    position = digest.split(":")[0]
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="statement-{GLOBEX}-2026-10-{position}.csv"'
    )
    assert answer.get_data(as_text=True).splitlines()[1].startswith(f"{digest},")


def test_a_pdf_statement_downloads_as_a_pdf(signed_in: Callable[[str], FlaskClient]) -> None:
    answer = signed_in("auditor").get(f"{STATEMENT}.pdf?period=2026-10")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.get_data().startswith(b"%PDF-")


def test_an_html_statement_holds_the_burn_up_chart(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("auditor").get(f"{STATEMENT}.html?period=2026-10")
    assert answer.status_code == 200
    assert "Burn-up of throughput in 2026-10" in page_text(answer)


def test_a_customers_statement_downloads(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("auditor").get("/customers/globex/statement.csv?period=2026-10")
    assert answer.status_code == 200
    assert GLOBEX in page_text(answer)
    assert INITECH not in page_text(answer)


def test_a_statement_without_a_period_is_a_400_page_naming_it(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("auditor").get(f"{STATEMENT}.pdf")
    assert answer.status_code == 400
    assert "The field period is wrong" in page_text(answer)


def test_an_unknown_statement_format_is_a_404_page(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    assert signed_in("auditor").get(f"{STATEMENT}.docx?period=2026-10").status_code == 404


def test_a_scoped_token_downloads_the_statement_of_its_own_agreement(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("initech-auditor")

    answer = client.get(f"/agreements/{INITECH}/statement.csv?period=2026-10")

    assert answer.status_code == 200
    assert answer.get_data(as_text=True).startswith("digest,known_at,as_of,")
