"""The burn-up chart page: the SVG drawn by reports.charts and a table of one row per day."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient

from tests.portal.seed import DAILY_THROUGHPUT, GLOBEX, MISSED_DAY

CHART_PAGE = f"/agreements/{GLOBEX}/objectives/throughput/chart"


def rows(html: str) -> list[str]:
    """The burn-up table's rows."""
    return re.findall(r'<tr data-testid="burn-up-row".*?</tr>', html, flags=re.S)


def cell(row: str, testid: str) -> str:
    """The text of a cell of a row."""
    found = re.search(rf'data-testid="{testid}">([^<]*)<', row)
    assert found is not None, f"no {testid} in {row}"
    return found.group(1)


def test_a_past_periods_chart_has_one_row_per_day(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{CHART_PAGE}?period=2026-10"))
    days = [re.search(r'data-day="([^"]+)"', row)[1] for row in rows(html)]  # type: ignore[index]
    assert days == [f"2026-10-{day:02d}" for day in range(1, 32)]


def test_the_chart_rows_hold_the_actual_cumulative_and_the_target_line(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{CHART_PAGE}?period=2026-10"))
    found = [
        (Decimal(cell(row, "burn-up-actual")), Decimal(cell(row, "burn-up-target")))
        for row in rows(html)
    ]
    # 100 a day except on the 10th; the line is 3100 x d/31 = 100 x d at the end of day d.
    expected = [
        (Decimal(DAILY_THROUGHPUT * (day if day < MISSED_DAY else day - 1)), Decimal(100 * day))
        for day in range(1, 32)
    ]
    assert found == expected


def test_the_chart_is_an_svg_with_an_accessible_title(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{CHART_PAGE}?period=2026-10"))
    figure = re.search(
        r'<figure class="chart" data-testid="burn-up-chart">(.*?)</figure>', html, re.S
    )
    assert figure is not None
    assert "<svg" in figure[1]
    assert "<title" in figure[1] and "Burn-up of throughput in 2026-10" in figure[1]


def test_the_chart_as_of_a_business_instant_stops_there(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{CHART_PAGE}?as_of=2026-11-15T12:00:00Z"))
    found = rows(html)
    assert 'data-testid="chart-period">2026-11<' in html
    assert len(found) == 15
    # The last point ends with the 15th and stands at as_of, where the 15th's reading (at
    # 12:00) counts: 15 x 100.
    assert cell(found[-1], "burn-up-day") == "2026-11-15"
    assert cell(found[-1], "burn-up-at") == "2026-11-15T12:00:00Z"
    assert cell(found[-2], "burn-up-at") == "2026-11-15T00:00:00Z"
    assert cell(found[-1], "burn-up-actual") == "1500"


def test_a_malformed_chart_period_is_a_400_page(signed_in: Callable[[str], FlaskClient]) -> None:
    assert signed_in("auditor").get(f"{CHART_PAGE}?period=last-month").status_code == 400


def test_the_agreement_page_draws_the_attainment_per_period(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"/agreements/{GLOBEX}"))
    charts = re.findall(r'data-testid="attainment-chart" data-objective-id="([^"]+)"', html)
    assert charts == ["availability", "throughput"]
