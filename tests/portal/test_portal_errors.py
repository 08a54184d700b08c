"""Errors as pages, never a traceback: bad instants, unknown addresses, a ledger that is down."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from flask.testing import FlaskClient

from portal.app import create_app
from reports.connection import LedgerConnection
from tests.portal.seed import GLOBEX

AGREEMENT_PAGE = f"/agreements/{GLOBEX}"


@pytest.mark.parametrize("field", ["as_of", "known_at"])
def test_a_malformed_instant_is_a_400_page_naming_the_field(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str], field: str
) -> None:
    answer = signed_in("auditor").get(f"{AGREEMENT_PAGE}?{field}=yesterday")
    assert answer.status_code == 400
    assert f"The field {field} is wrong" in page_text(answer)


def test_an_instant_outside_the_ledgers_range_is_a_400_page(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    answer = signed_in("auditor").get(f"{AGREEMENT_PAGE}?as_of=2300-01-01T00:00:00Z")
    assert answer.status_code == 400


def test_an_unknown_agreement_is_a_404_page(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    answer = signed_in("auditor").get("/agreements/no-such-agreement")
    assert answer.status_code == 404
    assert 'data-testid="error-page" data-status="404"' in page_text(answer)


def test_an_unknown_objective_is_a_404_page(signed_in: Callable[[str], FlaskClient]) -> None:
    answer = signed_in("auditor").get(f"{AGREEMENT_PAGE}/objectives/latency/periods/2026-10")
    assert answer.status_code == 404


def test_a_malformed_period_label_is_a_404_page(signed_in: Callable[[str], FlaskClient]) -> None:
    answer = signed_in("auditor").get(f"{AGREEMENT_PAGE}/objectives/availability/periods/soon")
    assert answer.status_code == 404


def test_an_unknown_address_is_a_404_page(
    portal: FlaskClient, page_text: Callable[[Any], str]
) -> None:
    answer = portal.get("/no/such/page")
    assert answer.status_code == 404
    assert 'data-testid="error-page"' in page_text(answer)


def test_an_unknown_filter_value_is_a_400_page(signed_in: Callable[[str], FlaskClient]) -> None:
    assert signed_in("auditor").get("/agreements?kind=cheap").status_code == 400


def test_a_ledger_that_does_not_answer_is_a_503_page(page_text: Callable[[Any], str]) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    connection = LedgerConnection(grpc.insecure_channel(f"127.0.0.1:{port}"), "", 2.0)
    client = create_app(connection.with_token, TESTING=True).test_client()
    answer = client.get(AGREEMENT_PAGE)
    connection.close()
    assert answer.status_code == 503
    assert "Traceback" not in page_text(answer)


def test_an_agreement_id_longer_than_any_is_a_404_page(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    too_long = "a" * 257
    client = signed_in("auditor")
    assert client.get(f"/agreements/{too_long}").status_code == 404
    assert client.get(f"/agreements/{too_long}/objectives/x/chart").status_code == 404
