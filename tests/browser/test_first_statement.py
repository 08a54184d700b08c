"""README's "Your first statement" runs as written, and its portal page is the screenshot's.

The walk-through runs once for the module (tests/browser/walk_through.py). The browser test
saves the agreement page as `portal-agreement.png` and March's burn-up chart as
`portal-burn-up.png` in the artifacts folder: README's docs/portal-agreement.png and
docs/portal-burn-up.png are copies of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import walk_through
from tests.browser.walk_through import WalkThrough

AGREEMENT = "globex-first"


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory, pdf_tools: None) -> Iterator[WalkThrough]:
    """The walk-through's steps run in order; the ledger and the portal left running."""
    run = walk_through.prepare(tmp_path_factory.mktemp("first-statement"))
    try:
        for step in walk_through.steps():
            run.run(step)
        yield run
    finally:
        run.stop()


def test_the_walk_through_is_a_ledger_a_signing_a_month_a_close_the_portal_and_a_statement() -> (
    None
):
    kinds = [step.split()[0:2] for step in walk_through.steps()]

    assert kinds == [
        [".venv/bin/sla-ledger", "serve"],
        [".venv/bin/buf", "curl"],
        [".venv/bin/python", "tools/record_month.py"],
        [".venv/bin/buf", "curl"],
        [".venv/bin/sla-ledger", "portal"],
        [".venv/bin/sla-ledger", "report"],
        ["digest=$(pdftotext", "statement.pdf"],
    ]


def test_every_step_of_the_walk_through_succeeds(walked: WalkThrough) -> None:
    failed = [(step, result) for step, result in walked.finished if result.returncode != 0]

    assert len(walked.finished) == 5
    assert not failed, failed


def test_verify_accepts_the_digest_the_statement_was_made_at(walked: WalkThrough) -> None:
    step, verified = walked.finished[-1]
    statement = walked.workdir / "statement.pdf"

    assert "sla-ledger verify" in step
    assert statement.read_bytes().startswith(b"%PDF")
    assert json.loads(verified.stdout)["ok"] is True, verified


def test_the_walk_through_s_pages_show_march_breached_and_its_burn_up_chart(
    walked: WalkThrough, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{walked.portal_url}/agreements/{AGREEMENT}")
        march = page.locator('[data-testid="period-row"][data-period="2026-03"]')
        status = march.get_by_test_id("period-status").inner_text()
        attainment_drawn = page.get_by_test_id("attainment-chart").locator("svg").is_visible()
        page.screenshot(path=str(artifacts / "portal-agreement.png"), full_page=True)

        march.get_by_test_id("period-chart-link").click()
        page.get_by_test_id("burn-up-chart").locator("svg").wait_for()
        points = page.get_by_test_id("burn-up-table").get_attribute("data-points")
        page.get_by_test_id("burn-up-chart").screenshot(path=str(artifacts / "portal-burn-up.png"))
    finally:
        context.close()

    assert (status, attainment_drawn, points) == ("BREACHED", True, "31")
