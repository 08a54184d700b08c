"""The portal's pages as Chromium renders them: a language, one main landmark, a label on
every input, header cells in every table, and text contrast of at least 4.5:1 (WCAG AA)
against the background it is drawn on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser import seeded_ledger as ledger

SignIn = Callable[[Any, str], None]
CHECKS = (Path(__file__).parent / "page_checks.js").read_text()
PAGES = (
    "/sign-in",
    "/agreements?customer=globex",
    f"/agreements/{ledger.AGREEMENT}",
    f"/agreements/{ledger.AGREEMENT}/objectives/availability/periods/{ledger.PERIOD}",
    f"/agreements/{ledger.AGREEMENT}/objectives/deployments/chart?period={ledger.PERIOD}",
    "/credits?customer=globex",
    "/agreements/no-such-agreement",
)


@pytest.mark.parametrize("path", PAGES)
def test_the_page_is_labelled_structured_and_legible(page: Any, sign_in: SignIn, path: str) -> None:
    sign_in(page, "globex")
    page.goto(path)

    facts = page.evaluate(CHECKS)

    assert (facts["lang"], facts["main"]) == ("en", 1)
    assert facts["unlabelled"] == []
    assert facts["headerless"] == []
    assert facts["lowContrast"] == []
