"""ListPeriodResults pages are cut by bytes as well as by count, and each page's token goes on
after the last period it shows: twenty daily periods listed under a bound of about three."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projections.read_models import ReadModels
from service.api.servicer import LedgerServicer
from service.api.subscriptions import EventStreams
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 20


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def ledger(sqlite_database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels, _Clock]]:
    """Twenty daily periods of one agreement closed, the read models caught up."""
    clock = _Clock()
    app = open_application(sqlite_database_url, clock=clock)
    models = open_read_models(app, sqlite_database_url)
    daily = terms_pb2.Objective(
        objective_id="availability",
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_DAY,
    )
    servicer = LedgerServicer(app, clock, EventStreams(app), models)
    servicer.SignAgreement(
        build.sign_request("sla-1", START, START, time_zone="UTC", objectives=[daily]), None
    )
    readings = [build.reading("availability", START + timedelta(days=d)) for d in range(DAYS)]
    servicer.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id="sla-1", measurements=readings), None
    )
    close = pb.ClosePeriodRequest(
        agreement_id="sla-1", until=build.timestamp(START + timedelta(days=DAYS))
    )
    servicer.ClosePeriod(close, None)
    models.catch_up()
    yield app, models, clock
    models.stop()
    app.close()


def _pages(servicer: LedgerServicer, page_size: int) -> list[Any]:
    request = history_pb.ListPeriodResultsRequest(agreement_id="sla-1", page_size=page_size)
    pages = []
    while True:
        page = servicer.ListPeriodResults(request, None)
        pages.append(page)
        if not page.next_page_token:
            return pages
        request.page_token = page.next_page_token


def test_a_page_is_cut_by_bytes_and_its_token_goes_on_after_its_last_period(
    ledger: tuple[LedgerApplication, ReadModels, _Clock],
) -> None:
    app, models, clock = ledger
    servicer = LedgerServicer(app, clock, EventStreams(app), models)
    [whole] = _pages(servicer, 500)
    one = whole.periods[0].ByteSize()
    servicer._page_bytes = 3 * one + 30

    pages = _pages(servicer, 500)

    # 20 periods of about the same size, three to a page: 7 pages, all 20 in order once.
    assert len(whole.periods) == DAYS
    assert all(len(p.periods) <= 3 for p in pages)
    assert [r.period_label for p in pages for r in p.periods] == [
        r.period_label for r in whole.periods
    ]
    assert len(pages) == 7
