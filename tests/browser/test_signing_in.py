"""Signing in to the portal with a bearer token, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser import seeded_ledger as ledger

SignIn = Callable[[Any, str], None]


def test_signing_in_keeps_the_token_in_an_http_only_strict_cookie_and_offers_sign_out(
    page: Any, sign_in: SignIn
) -> None:
    sign_in(page, "globex")

    [cookie] = page.context.cookies()
    assert cookie["value"] == ledger.token("globex")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert page.get_by_test_id("sign-out").is_visible()


def test_a_signed_in_customer_finds_its_agreement_by_filtering_on_its_customer(
    page: Any, sign_in: SignIn
) -> None:
    sign_in(page, "globex")

    page.goto("/agreements")
    page.get_by_test_id("filter-customer").fill("globex")
    page.get_by_test_id("filter-submit").click()

    rows = page.get_by_test_id("agreement-row")
    assert [rows.nth(i).get_attribute("data-agreement-id") for i in range(rows.count())] == [
        ledger.AGREEMENT
    ]


def test_signing_out_returns_to_the_sign_in_page_and_the_ledger_refuses_the_pages(
    page: Any, sign_in: SignIn
) -> None:
    sign_in(page, "globex")

    page.get_by_test_id("sign-out").click()
    response = page.goto(f"/agreements/{ledger.AGREEMENT}")

    assert response.status == 401
    assert page.get_by_test_id("sign-in-form").is_visible()
    assert page.context.cookies() == []


def test_a_wrong_token_is_shown_the_sign_in_page_again(page: Any, sign_in: SignIn) -> None:
    page.goto("/sign-in")
    page.get_by_test_id("token-input").fill("not-a-token")
    page.get_by_test_id("sign-in-submit").click()
    response = page.goto(f"/agreements/{ledger.AGREEMENT}")

    assert response.status == 401
    assert page.get_by_test_id("sign-in-form").is_visible()
