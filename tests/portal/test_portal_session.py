"""Signing in and out of the portal: the bearer token in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.portal.seed import GLOBEX

AGREEMENT_PAGE = f"/agreements/{GLOBEX}"


def test_signing_in_keeps_the_token_in_an_http_only_same_site_strict_cookie(
    portal: FlaskClient,
) -> None:
    answer = portal.post("/sign-in", data={"token": "admin-token"})
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("sla_ledger_token=admin-token;")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_the_cookie_is_secure_when_the_portal_is_reached_over_https(portal: FlaskClient) -> None:
    answer = portal.post(
        "/sign-in", data={"token": "admin-token"}, base_url="https://portal.example"
    )
    assert "Secure" in answer.headers["Set-Cookie"]


def test_signing_in_goes_back_to_the_page_asked_for(portal: FlaskClient) -> None:
    answer = portal.post("/sign-in", data={"token": "admin-token", "next": AGREEMENT_PAGE})
    assert answer.status_code == 303
    assert answer.headers["Location"] == AGREEMENT_PAGE


def test_signing_in_never_goes_back_to_another_site(portal: FlaskClient) -> None:
    answer = portal.post("/sign-in", data={"token": "admin-token", "next": "//evil.example/"})
    assert answer.headers["Location"] == "/agreements"


def test_a_sign_in_posted_from_another_site_is_refused(portal: FlaskClient) -> None:
    answer = portal.post(
        "/sign-in", data={"token": "admin-token"}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert "Set-Cookie" not in answer.headers


def test_a_sign_in_posted_from_the_portal_s_own_page_is_taken(portal: FlaskClient) -> None:
    answer = portal.post(
        "/sign-in", data={"token": "admin-token"}, headers={"Origin": "http://localhost"}
    )
    assert answer.status_code == 303


def test_an_empty_token_is_refused_with_the_sign_in_page(
    portal: FlaskClient, page_text: Callable[[Any], str]
) -> None:
    answer = portal.post("/sign-in", data={"token": " "})
    assert answer.status_code == 400
    assert 'data-testid="sign-in-form"' in page_text(answer)


def test_a_signed_in_page_reads_the_ledger_with_the_token(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    assert signed_in("admin").get(AGREEMENT_PAGE).status_code == 200


def test_signing_out_clears_the_cookie(signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("admin")
    answer = client.post("/sign-out")
    assert answer.status_code == 303
    assert "sla_ledger_token=;" in answer.headers["Set-Cookie"]
    assert client.get(AGREEMENT_PAGE).status_code == 401


def test_a_page_without_a_token_is_the_sign_in_page_with_status_401(
    portal: FlaskClient, page_text: Callable[[Any], str]
) -> None:
    answer = portal.get(AGREEMENT_PAGE)
    assert answer.status_code == 401
    assert 'data-testid="sign-in-form"' in page_text(answer)


def test_an_unknown_token_is_the_sign_in_page_with_status_401(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    assert signed_in("nobody").get(AGREEMENT_PAGE).status_code == 401


def test_the_sign_in_page_after_a_401_goes_back_to_the_page(
    portal: FlaskClient, page_text: Callable[[Any], str]
) -> None:
    answer = portal.get(f"{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00Z")
    assert f'value="{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00Z"' in page_text(answer)
