"""Time travel: every page at an as_of and a known_at, carried by its links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from portal.time_travel import iso
from tests.portal.seed import EXCLUSION_ID, GLOBEX, Seeded

AGREEMENT_PAGE = f"/agreements/{GLOBEX}"
OCTOBER_PAGE = f"{AGREEMENT_PAGE}/objectives/availability/periods/2026-10"


def test_a_page_shows_the_instants_it_is_read_at(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00Z"))
    assert 'data-testid="shown-as-of">2026-10-15T00:00:00Z<' in html
    assert 'data-testid="shown-known-at">now<' in html


def test_links_carry_as_of_and_known_at(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str], seeded: Seeded
) -> None:
    known_at = iso(seeded.before_exclusion)
    html = page_text(
        signed_in("auditor").get(f"{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00Z&known_at={known_at}")
    )
    period_link = re.search(r'href="([^"]+)" data-testid="objective-period-link"', html)
    assert period_link is not None
    assert "as_of=2026-10-15T00:00:00Z" in period_link[1]
    assert f"known_at={known_at}" in period_link[1]


def test_the_standing_as_of_an_earlier_instant_is_of_that_period(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00Z"))
    assert html.count("<td>2026-10</td>") == 2  # both objectives stand in October


def test_an_exclusion_recorded_after_known_at_is_not_shown(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str], seeded: Seeded
) -> None:
    html = page_text(
        signed_in("auditor").get(f"{OCTOBER_PAGE}?known_at={iso(seeded.before_exclusion)}")
    )
    assert EXCLUSION_ID not in html
    assert 'data-testid="no-exclusions"' in html


def test_the_standing_known_before_the_exclusion_counts_the_excluded_day(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str], seeded: Seeded
) -> None:
    html = page_text(
        signed_in("auditor").get(f"{OCTOBER_PAGE}?known_at={iso(seeded.before_exclusion)}")
    )
    # 30 days of 60 of 60 an hour and the 10th at 30 of 60: 43,920 good of 44,640 = 98.387097 %.
    assert 'data-testid="track-attained">98.387097<' in html


def test_an_agreement_not_yet_recorded_at_known_at_is_not_found(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    answer = signed_in("auditor").get(f"{AGREEMENT_PAGE}?known_at=2026-01-01T00:00:00Z")
    assert answer.status_code == 404


def test_an_instant_without_an_offset_is_read_as_utc(
    signed_in: Callable[[str], FlaskClient], page_text: Callable[[Any], str]
) -> None:
    html = page_text(signed_in("auditor").get(f"{AGREEMENT_PAGE}?as_of=2026-10-15T00:00:00"))
    assert "Standing as of 2026-10-15T00:00:00Z" in html
