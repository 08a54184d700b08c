"""A customer-scoped token sees only its customers' pages: another customer's id gets the very
"not found" page an unknown id gets, at every address that names an agreement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.portal.seed import GLOBEX, INITECH

UNKNOWN = "nobody-2026-hosting"  # as long as GLOBEX, so the pages compare byte for byte
AGREEMENT_ADDRESSES = (
    "/agreements/{id}",
    "/agreements/{id}/objectives/availability/periods/2026-10",
    "/agreements/{id}/objectives/throughput/chart",
    "/agreements/{id}/objectives/throughput/chart?period=2026-10",
)
# Statements too: a scoped token gets no statement at all (it may not read the digest), but
# another customer's agreement is "not found" first, as an unknown one.
FOREIGN_ADDRESSES = (
    *AGREEMENT_ADDRESSES,
    "/agreements/{id}/statement.pdf?period=2026-10",
    "/agreements/{id}/statement.csv?period=2026-10",
)


@pytest.mark.parametrize("address", FOREIGN_ADDRESSES)
def test_another_customers_page_is_not_found(
    signed_in: Callable[[str], FlaskClient], address: str
) -> None:
    answer = signed_in("initech-auditor").get(address.format(id=GLOBEX))
    assert answer.status_code == 404


@pytest.mark.parametrize("address", FOREIGN_ADDRESSES)
def test_another_customers_page_reads_as_an_unknown_ids(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str], address: str
) -> None:
    client = signed_in("initech-auditor")
    foreign = page_text(client.get(address.format(id=GLOBEX)))
    unknown = page_text(client.get(address.format(id=UNKNOWN)))
    assert foreign.replace(GLOBEX, UNKNOWN) == unknown


@pytest.mark.parametrize("address", AGREEMENT_ADDRESSES)
def test_a_scoped_token_reads_its_own_customers_pages(
    signed_in: Callable[[str], FlaskClient], address: str
) -> None:
    assert signed_in("initech-auditor").get(address.format(id=INITECH)).status_code == 200


def test_a_scoped_token_lists_credits_of_its_own_customer(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("initech-auditor").get("/credits?customer=initech")
    assert answer.status_code == 200
    assert f'data-agreement-id="{GLOBEX}"' not in page_text(answer)


def test_a_scoped_token_is_refused_another_customers_credits(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    assert signed_in("initech-auditor").get("/credits?customer=globex").status_code in (403, 404)


def test_a_scoped_token_lists_only_its_customers_agreements(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("initech-auditor").get("/agreements?customer=initech"))
    assert f'data-agreement-id="{INITECH}"' in html
    assert GLOBEX not in html


def test_a_scoped_token_listing_without_its_customer_is_told_to_name_it(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("initech-auditor").get("/agreements")
    assert answer.status_code == 403
    assert 'data-testid="listing-refused"' in page_text(answer)


def test_a_scoped_token_listing_another_customer_sees_none_of_its_agreements(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("initech-auditor").get("/agreements?customer=globex")
    assert GLOBEX not in page_text(answer)


def test_a_role_that_may_not_read_agreements_gets_the_not_allowed_page_not_not_found(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("finance").get(f"/agreements/{GLOBEX}")

    assert answer.status_code == 403
    assert "Your token may not read this" in page_text(answer)
