"""A service SLA's compliance for one subscriber and for a tier (SQLite and PostgreSQL): replaying
the streams it needs and reading rollups both give the full replay's report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import NotFoundError
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.subscriber_views import CUSTOMER_LABEL
from domain.subscriptions import Subscription
from domain.terms import Party
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.service_slas import (
    BASIC_FEE,
    JANUARY,
    PREMIUM_FEE,
    SERVICE,
    sign_service,
)

FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MID_FEBRUARY = datetime(2026, 2, 14, 12, tzinfo=UTC)
LATER = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(database_url: str) -> Iterator[tuple[LedgerApplication, ReadModels]]:
    storage = parse_database_url(database_url)
    app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
    models = open_read_models(app, storage, create_tables=False)
    models.create()
    sign_service(app)
    _history(app)
    yield app, models
    models.stop()
    app.close()


def _subscribe(app: LedgerApplication, customer_id: str, tier_id: str, start: datetime) -> None:
    service = app.agreements.find_agreement(SERVICE)
    assert service is not None
    fee = BASIC_FEE if tier_id == "basic" else PREMIUM_FEE
    app.save(
        Subscription.subscribe(service, Party(customer_id), tier_id, fee, start, None, app.now())
    )


def _readings(start: datetime, count: int, customer_id: str = "") -> list[Measurement]:
    labels = {CUSTOMER_LABEL: customer_id} if customer_id else None
    first = to_epoch_us(start)
    return [
        Measurement(
            "availability", "", first + i * 60_000_000 + 7, 990 + i % 11, 1000, None, labels
        )
        for i in range(count)
    ]


def _history(app: LedgerApplication) -> None:
    _subscribe(app, "globex", "basic", JANUARY)
    _subscribe(app, "initech", "premium", FEBRUARY + timedelta(days=3))
    app.ingest.record_measurements(SERVICE, _readings(FEBRUARY, 3000))
    app.ingest.record_measurements(SERVICE, _readings(FEBRUARY + timedelta(hours=3), 200, "globex"))
    exclusion = Exclusion(
        "globex-outage",
        FEBRUARY + timedelta(days=1),
        FEBRUARY + timedelta(days=1, hours=1),
        ExclusionKind.CUSTOMER_CAUSED,
        "the customer's firewall",
        customer_id="globex",
    )
    app.commands.record_exclusion(SERVICE, exclusion)
    app.ingest.record_measurements(SERVICE, _readings(FEBRUARY + timedelta(days=4), 1000))


@pytest.mark.parametrize("customer_id", ["globex", "initech"])
def test_a_subscribers_report_from_its_streams_and_from_rollups_is_the_full_replays(
    ledger: tuple[LedgerApplication, ReadModels], customer_id: str
) -> None:
    app, models = ledger
    models.catch_up()
    subscribers = app.compliance.subscribers
    for as_of in (MID_FEBRUARY, FEBRUARY + timedelta(days=4, hours=5)):
        full = subscribers.subscriber_by_full_replay(SERVICE, customer_id, "", as_of, LATER)

        streams, _ = app.compliance.subscriber_report(SERVICE, customer_id, "", as_of, LATER, None)
        rolled, _ = app.compliance.subscriber_report(SERVICE, customer_id, "", as_of, LATER, models)

        assert streams == full
        assert rolled == full


@pytest.mark.parametrize("tier_id", ["basic", "premium"])
def test_a_tiers_report_from_its_streams_and_from_rollups_is_the_full_replays(
    ledger: tuple[LedgerApplication, ReadModels], tier_id: str
) -> None:
    app, models = ledger
    models.catch_up()
    full = app.compliance.subscribers.tier_by_full_replay(SERVICE, tier_id, "", MID_FEBRUARY, LATER)

    streams, _ = app.compliance.tier_report(SERVICE, tier_id, "", MID_FEBRUARY, LATER, None)
    rolled, _ = app.compliance.tier_report(SERVICE, tier_id, "", MID_FEBRUARY, LATER, models)

    assert streams == full
    assert rolled == full


def test_a_subscribers_own_readings_and_exclusion_change_only_its_report(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    app, models = ledger
    models.catch_up()

    globex, _ = app.compliance.subscriber_report(SERVICE, "globex", "", MID_FEBRUARY, LATER, models)
    tier, _ = app.compliance.tier_report(SERVICE, "basic", "", MID_FEBRUARY, LATER, models)

    [own] = globex.objectives
    [shared] = tier.objectives
    assert own.tracks[0].excluded > 0
    assert shared.tracks[0].excluded == 0
    assert own.tracks[0].total != shared.tracks[0].total


@pytest.mark.parametrize("rollups", [False, True])
def test_an_unknown_agreement_tier_or_subscriber_is_not_found(
    ledger: tuple[LedgerApplication, ReadModels], rollups: bool
) -> None:
    app, models = ledger
    source = models if rollups else None
    compliance = app.compliance
    with pytest.raises(NotFoundError):
        compliance.subscriber_report("no-such", "globex", "", MID_FEBRUARY, LATER, source)
    with pytest.raises(NotFoundError):
        compliance.subscriber_report(SERVICE, "nobody", "", MID_FEBRUARY, LATER, source)
    with pytest.raises(NotFoundError):
        compliance.tier_report(SERVICE, "gold", "", MID_FEBRUARY, LATER, source)
    with pytest.raises(NotFoundError):
        compliance.tier_report("no-such", "basic", "", MID_FEBRUARY, LATER, source)


def test_a_subscription_recorded_after_known_at_is_not_found(
    ledger: tuple[LedgerApplication, ReadModels],
) -> None:
    app, _ = ledger
    before = datetime(2026, 6, 1, tzinfo=UTC)

    with pytest.raises(NotFoundError):
        app.compliance.subscriber_report(SERVICE, "globex", "", MID_FEBRUARY, before, None)
