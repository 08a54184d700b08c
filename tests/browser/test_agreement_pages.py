"""An agreement and its burn-up chart as a customer sees them in a real browser, with the
figures worked out by hand in seeded_ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.browser import seeded_ledger as ledger

SignIn = Callable[[Any, str], None]


def _open_agreement(page: Any, sign_in: SignIn) -> None:
    sign_in(page, "globex")
    page.goto(f"/agreements?customer={ledger.CUSTOMERS[ledger.AGREEMENT]}")
    page.get_by_test_id("agreement-link").click()
    page.get_by_test_id("agreement-summary").wait_for()


def _open_march_chart(page: Any, sign_in: SignIn) -> None:
    _open_agreement(page, sign_in)
    page.locator(
        f'[data-testid="period-row"][data-objective-id="deployments"][data-period="{ledger.PERIOD}"]'
    ).get_by_test_id("period-chart-link").click()
    page.get_by_test_id("burn-up-table").wait_for()


def _chart_rows(page: Any) -> list[tuple[str, Decimal, Decimal]]:
    """(day, actual, target line) of each row of the chart's table."""
    rows = page.get_by_test_id("burn-up-row")
    return [
        (
            row.get_attribute("data-day"),
            Decimal(row.get_by_test_id("burn-up-actual").inner_text()),
            Decimal(row.get_by_test_id("burn-up-target").inner_text()),
        )
        for row in (rows.nth(i) for i in range(rows.count()))
    ]


def _march_day(day: int) -> str:
    return (date(2026, 3, 1) + timedelta(days=day - 1)).isoformat()


def test_opening_the_agreement_from_the_listing_shows_its_customer_and_march_s_results(
    page: Any, sign_in: SignIn
) -> None:
    _open_agreement(page, sign_in)

    statuses = {
        row.get_attribute("data-objective-id"): row.get_by_test_id("period-status").inner_text()
        for row in page.get_by_test_id("period-row").all()
    }
    assert page.get_by_test_id("agreement-customer").inner_text() == "Globex (globex)"
    assert statuses == {"availability": "BREACHED", "deployments": "MET"}


def test_the_burn_up_chart_has_one_point_per_march_day_with_the_hand_computed_figures(
    page: Any, sign_in: SignIn
) -> None:
    _open_march_chart(page, sign_in)

    assert page.get_by_test_id("burn-up-table").get_attribute("data-points") == "31"
    assert _chart_rows(page) == [
        (_march_day(d), ledger.cumulative_deployments(d), ledger.target_line(d))
        for d in range(1, ledger.DAYS + 1)
    ]


def test_known_at_before_the_late_reading_the_chart_shows_march_without_it(
    page: Any, sign_in: SignIn, seeded: ledger.SeededLedger
) -> None:
    _open_march_chart(page, sign_in)

    known_at = seeded.known_before_late.isoformat()
    page.get_by_test_id("known-at-input").fill(known_at)
    page.get_by_test_id("time-travel-submit").click()
    page.get_by_test_id("burn-up-table").wait_for()

    assert page.get_by_test_id("shown-known-at").inner_text() == known_at
    assert [actual for _, actual, _ in _chart_rows(page)] == [
        ledger.cumulative_deployments(d, with_late=False) for d in range(1, ledger.DAYS + 1)
    ]


def test_as_of_inside_march_the_chart_ends_at_that_instant_on_the_day_s_share_of_the_line(
    page: Any, sign_in: SignIn
) -> None:
    _open_march_chart(page, sign_in)

    page.get_by_test_id("as-of-input").fill("2026-03-15T18:00:00Z")
    page.get_by_test_id("time-travel-submit").click()
    page.get_by_test_id("burn-up-table").wait_for()

    rows = _chart_rows(page)
    assert len(rows) == 15
    # 18:00 is 3/4 of 15 March: the line stands at 140 + 10 x 3/4, the day's noon reading is in.
    assert rows[-1] == (_march_day(15), ledger.cumulative_deployments(15), Decimal("147.5"))


def test_the_period_page_known_before_the_late_reading_shows_march_not_yet_closed(
    page: Any, sign_in: SignIn, seeded: ledger.SeededLedger
) -> None:
    sign_in(page, "globex")
    known_at = seeded.known_before_late.isoformat().replace("+00:00", "Z")

    page.goto(
        f"/agreements/{ledger.AGREEMENT}/objectives/deployments/periods/{ledger.PERIOD}"
        f"?known_at={known_at}"
    )

    assert page.get_by_test_id("not-closed").is_visible()
    page.get_by_test_id("time-travel-now").click()
    assert page.get_by_test_id("closed-status").inner_text() == "MET"


def test_the_burn_up_chart_is_drawn_on_the_page_as_an_svg_titled_for_screen_readers(
    page: Any, sign_in: SignIn
) -> None:
    _open_march_chart(page, sign_in)

    chart = page.get_by_test_id("burn-up-chart").locator("svg")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 200
    assert chart.locator("title").first.text_content() == "Burn-up of deployments in 2026-03"
