"""GetComplianceSeries of a case objective, on SQLite and PostgreSQL: its cases judged at each
point as GetCompliance judges them there, and equal to the oracle's series.

The agreement: a monthly case objective (resolution within 4 hours, 95%) in UTC from January
2026. T-1 opens on 5 January at 10:00 and is resolved at 12:00 (met, judged at 12:00); T-2 opens
on 6 January at 10:00 and is never resolved: its clock runs out at 14:00 (breached, judged
then). By hand: at the end of 5 January one case judged, met; at the end of 6 January two, one
met: 50%.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.case_milestones import MilestoneKind
from service.app.application import LedgerApplication
from service.app.compliance_series import SeriesQuestion
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SettableClock
from tests.unit.cases.timelines import case_objective, milestone, opened

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.fixture
def app(database_url: str, make_terms: Callable[..., Any]) -> Iterator[LedgerApplication]:
    application = open_application(parse_database_url(database_url), clock=SettableClock(NOW))
    terms = make_terms(time_zone="UTC", objectives=(case_objective("resolution", hours=4),))
    application.commands.sign_agreement("a-1", terms, SIGNED_AT)
    application.cases.record(
        "a-1",
        [
            opened("2026-01-05T10:00:00+00:00"),
            milestone(MilestoneKind.RESOLVED, "2026-01-05T12:00:00+00:00"),
            opened("2026-01-06T10:00:00+00:00", "T-2"),
        ],
    )
    yield application
    application.close()


def _question() -> SeriesQuestion:
    return SeriesQuestion("a-1", "resolution", NOW, NOW, NOW + timedelta(hours=1))


def test_a_case_objectives_points_count_the_cases_judged_by_then(app: LedgerApplication) -> None:
    series, _ = app.series.by_stream_replay(_question())

    [track] = series.tracks
    fifth, sixth = track[4], track[5]  # the ends of 5 and 6 January
    assert (fifth.good, fifth.total, fifth.attained) == (Decimal(1), Decimal(1), Decimal(100))
    assert (sixth.good, sixth.total, sixth.attained) == (Decimal(1), Decimal(2), Decimal(50))


def test_a_case_objectives_series_equals_the_oracles_on_every_path(
    app: LedgerApplication, database_url: str
) -> None:
    models = open_read_models(app, parse_database_url(database_url))
    try:
        models.catch_up()
        expected = app.series.by_full_replay(_question())

        assert app.series.from_rollups(_question(), models)[0] == expected
        assert app.series.by_stream_replay(_question())[0] == expected
    finally:
        models.stop()


def test_each_point_inside_the_month_is_get_compliance_at_its_instant(
    app: LedgerApplication,
) -> None:
    series = app.series.by_full_replay(_question())

    for index, point in enumerate(series.points[:-1]):
        report = app.compliance.by_full_replay("a-1", "resolution", point.stands_at, NOW)
        assert (series.tracks[0][index],) == report.objectives[0].tracks
