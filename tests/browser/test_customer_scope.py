"""A customer's token cannot reach another customer's pages in the portal, even by URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser import seeded_ledger as ledger

SignIn = Callable[[Any, str], None]
FOREIGN = ledger.OTHER_AGREEMENT
PAGES = (
    "/agreements/{id}",
    "/agreements/{id}/objectives/deployments/periods/2026-03",
    "/agreements/{id}/objectives/deployments/chart?period=2026-03",
    "/agreements/{id}/statement.pdf?period=2026-03",
)


def _error_page(page: Any, path: str, agreement_id: str) -> tuple[int, str, str]:
    """The status, the page's data-status and its message with the id taken out."""
    response = page.goto(path.format(id=agreement_id))
    return (
        response.status,
        page.get_by_test_id("error-page").get_attribute("data-status"),
        page.get_by_test_id("error-message").inner_text().replace(agreement_id, "ID"),
    )


@pytest.mark.parametrize("path", PAGES)
def test_another_customer_s_page_is_the_not_found_page_of_an_unknown_id(
    page: Any, sign_in: SignIn, path: str
) -> None:
    sign_in(page, "globex")

    foreign = _error_page(page, path, FOREIGN)
    unknown = _error_page(page, path, "initech-nothing")

    assert foreign[:2] == (404, "404")
    assert foreign == unknown


def test_listing_another_customer_s_agreements_is_refused(page: Any, sign_in: SignIn) -> None:
    sign_in(page, "globex")

    response = page.goto("/agreements?customer=initech")

    assert response.status == 403
    assert page.get_by_test_id("listing-refused").is_visible()
    assert page.get_by_test_id("agreement-row").count() == 0
