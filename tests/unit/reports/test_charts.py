"""The statement's charts: deterministic, accessible SVG and PNG with one point per day."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from reports.charts import attainment_png, attainment_svg, burn_up_png, burn_up_svg
from tests.unit.reports.sample_statement import tickets_burn_up, uptime_history

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _group(svg: str, gid: str) -> ElementTree.Element:
    found = ElementTree.fromstring(svg).find(f".//{SVG}g[@id='{gid}']")
    assert found is not None, f"no group {gid}"
    return found


def test_a_burn_up_svg_is_the_same_every_time_it_is_drawn() -> None:
    assert burn_up_svg(tickets_burn_up()) == burn_up_svg(tickets_burn_up())


def test_a_burn_up_svg_carries_no_date_of_drawing() -> None:
    assert "dc:date" not in burn_up_svg(tickets_burn_up())


def test_a_burn_up_svg_opens_with_a_title_naming_the_objective_and_period() -> None:
    root = ElementTree.fromstring(burn_up_svg(tickets_burn_up(), chart_id="march"))

    title = root[0]
    assert (title.tag, title.get("id"), title.text) == (
        f"{SVG}title",
        "march-title",
        "Burn-up of tickets in 2026-03",
    )


def test_a_burn_up_svg_is_an_image_labelled_by_its_title_and_description() -> None:
    root = ElementTree.fromstring(burn_up_svg(tickets_burn_up(), chart_id="march"))

    assert (root.get("role"), root.get("aria-labelledby")) == ("img", "march-title march-desc")


def test_a_burn_up_svg_describes_its_last_point() -> None:
    root = ElementTree.fromstring(burn_up_svg(tickets_burn_up(), chart_id="march"))

    desc = root.find(f"{SVG}desc")
    assert desc is not None
    # 31 days of 9 against 10 a day: 279 against 310 on the 31st.
    assert desc.text == (
        "31 daily points (total); on 2026-03-31 the actual is 279 against a target line of 310."
    )


def test_a_burn_up_svg_has_one_actual_marker_per_day() -> None:
    actual = _group(burn_up_svg(tickets_burn_up(), chart_id="march"), "march-actual")

    assert len(actual.findall(f".//{SVG}use")) == 31


def test_a_burn_up_svg_has_one_target_line_marker_per_day() -> None:
    target = _group(burn_up_svg(tickets_burn_up(), chart_id="march"), "march-target")

    assert len(target.findall(f".//{SVG}use")) == 31


def test_two_charts_with_other_ids_share_no_element_id() -> None:
    first = set(re.findall(r' id="([^"]+)"', burn_up_svg(tickets_burn_up(), chart_id="one")))
    second = set(re.findall(r' id="([^"]+)"', burn_up_svg(tickets_burn_up(), chart_id="two")))

    assert first & second == set()


def test_a_chart_id_that_is_not_a_plain_name_is_refused() -> None:
    try:
        burn_up_svg(tickets_burn_up(), chart_id='x" onload="alert(1)')
    except ValueError:
        return
    raise AssertionError("the chart id was accepted")


def test_a_burn_up_png_is_a_png() -> None:
    assert burn_up_png(tickets_burn_up()).startswith(PNG_SIGNATURE)


def test_the_attainment_svg_describes_every_period_with_its_status() -> None:
    root = ElementTree.fromstring(attainment_svg(uptime_history(), "uptime"))

    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == (
        "2026-01: 99.95 against 99.9, met; 2026-02: no data against 99.9, no data; "
        "2026-03: 99.502488 against 99.9, breached."
    )


def test_the_attainment_svg_has_one_target_marker_per_period() -> None:
    target = _group(attainment_svg(uptime_history(), "uptime", chart_id="h"), "h-target")

    assert len(target.findall(f".//{SVG}use")) == 3


def test_the_attainment_svg_is_the_same_every_time_it_is_drawn() -> None:
    assert attainment_svg(uptime_history(), "uptime") == attainment_svg(uptime_history(), "uptime")


def test_the_attainment_chart_of_no_period_says_so() -> None:
    root = ElementTree.fromstring(attainment_svg((), "uptime", chart_id="empty"))

    assert root[0].text == "Attainment of uptime: no closed period"


def test_an_attainment_png_is_a_png() -> None:
    assert attainment_png(uptime_history(), "uptime").startswith(PNG_SIGNATURE)
