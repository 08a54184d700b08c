"""A service SLA's pages: judged per subscriber (?customer=) or per tier (?tier=)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.portal.seed import SERVICE

SERVICE_PAGE = f"/agreements/{SERVICE}"


def test_a_service_sla_page_asks_whose_standing_to_show(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(SERVICE_PAGE))
    assert 'data-testid="choose-subject"' in html


def test_a_subscribers_period_history_is_judged_by_its_tier(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{SERVICE_PAGE}?customer=initech"))
    (row,) = re.findall(r'<tr data-testid="period-row".*?</tr>', html, flags=re.S)
    # Premium (99.9 %): 98.387097 % is below 99.0, so 50 % of Initech's EUR 1000.00 fee.
    assert "BREACHED" in row
    assert "EUR 500.00" in row
    assert "initech (premium)" in row


def test_a_tiers_standing_is_shown_without_a_subscriber(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(
        signed_in("auditor").get(f"{SERVICE_PAGE}?tier=basic&as_of=2026-10-20T00:00:00Z")
    )
    assert 'data-objective-id="availability"' in html


def test_a_subscribers_token_reads_its_subscription_on_the_service_sla(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    answer = signed_in("initech-auditor").get(f"{SERVICE_PAGE}?customer=initech")
    assert answer.status_code == 200


def test_a_subscribers_period_page_shows_its_closed_result(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(
        signed_in("initech-auditor").get(
            f"{SERVICE_PAGE}/objectives/availability/periods/2026-10?customer=initech"
        )
    )
    assert 'data-testid="closed-status">BREACHED<' in html
