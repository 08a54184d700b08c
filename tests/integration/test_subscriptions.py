"""Subscriptions to a service SLA on real storage (SQLite and PostgreSQL): subscribing, changing
tier, ending, and the refusals of each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    VersionConflictError,
)
from domain.terms import AgreementTerms
from service.app.application import LedgerApplication
from service.store.command_requests import CommandRequest, RequestCarriedOutError
from tests.integration.service_slas import (
    BASIC_FEE,
    FEBRUARY,
    GLOBEX,
    JANUARY,
    MARCH,
    PREMIUM_FEE,
    SERVICE,
    open_service_app,
    subscribe,
)


@pytest.fixture
def app(database_url: str) -> Iterator[LedgerApplication]:
    application = open_service_app(database_url)
    yield application
    application.close()


def test_a_subscription_reads_back_with_its_customer_tier_fee_and_start(
    app: LedgerApplication,
) -> None:
    subscribed, position = subscribe(app)

    found = app.subscriptions.find(SERVICE, "globex")

    assert found is not None
    assert (found.customer, found.current.tier_id, found.current.fee, found.start, found.end) == (
        GLOBEX,
        "basic",
        BASIC_FEE,
        FEBRUARY,
        None,
    )
    assert (subscribed.version, position) == (1, app.event_log.head())


def test_a_tier_change_and_an_end_read_back_after_the_subscription(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    app.subscriptions.change_tier(
        SERVICE, "globex", "premium", PREMIUM_FEE, MARCH, reason="upgrade", expected_version=1
    )
    ended, position = app.subscriptions.end(
        SERVICE, "globex", datetime(2026, 5, 1, tzinfo=UTC), reason="moved", expected_version=2
    )

    found = app.subscriptions.find(SERVICE, "globex")

    assert found is not None
    assert [(c.tier_id, c.fee, c.effective_from) for c in found.changes] == [
        ("basic", BASIC_FEE, FEBRUARY),
        ("premium", PREMIUM_FEE, MARCH),
    ]
    assert (found.end, found.version, ended.version, position) == (
        datetime(2026, 5, 1, tzinfo=UTC),
        3,
        3,
        app.event_log.head(),
    )


def test_a_tier_change_without_a_fee_keeps_the_fee_in_force(app: LedgerApplication) -> None:
    subscribe(app)

    changed, _ = app.subscriptions.change_tier(SERVICE, "globex", "premium", None, MARCH)

    assert changed.current.fee == BASIC_FEE


def test_the_subscription_as_known_before_its_tier_change_has_the_first_tier_only(
    app: LedgerApplication,
) -> None:
    subscribed, _ = subscribe(app)
    app.subscriptions.change_tier(SERVICE, "globex", "premium", PREMIUM_FEE, MARCH)

    known = app.subscriptions.subscription_at(SERVICE, "globex", subscribed.modified_on)

    assert [c.tier_id for c in known.changes] == ["basic"]


def test_a_subscription_not_recorded_by_known_at_is_not_found(app: LedgerApplication) -> None:
    subscribed, _ = subscribe(app)

    with pytest.raises(NotFoundError):
        app.subscriptions.subscription_at(
            SERVICE, "globex", subscribed.created_on - timedelta(microseconds=1)
        )


def test_a_second_overlapping_subscription_of_a_customer_is_already_existing(
    app: LedgerApplication,
) -> None:
    subscribe(app, end=datetime(2026, 9, 1, tzinfo=UTC))

    with pytest.raises(AlreadyExistsError) as refused:
        subscribe(app, tier_id="premium", fee=PREMIUM_FEE, start=MARCH)

    assert "overlaps" in str(refused.value)
    assert "2026-02-01T00:00:00+00:00" in str(refused.value)
    assert "2026-09-01T00:00:00+00:00" in str(refused.value)


def test_subscribing_again_after_the_subscription_ended_is_not_supported(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    app.subscriptions.end(SERVICE, "globex", MARCH)

    with pytest.raises(FailedPreconditionError) as refused:
        subscribe(app, start=datetime(2026, 4, 1, tzinfo=UTC))

    assert "re-subscription after an end is not supported" in str(refused.value)


def test_subscribing_to_an_unknown_agreement_is_not_found(app: LedgerApplication) -> None:
    with pytest.raises(NotFoundError):
        subscribe(app, agreement_id="no-such-service")


def test_subscribing_to_a_customer_based_agreement_is_a_failed_precondition(
    app: LedgerApplication, make_terms: Callable[..., AgreementTerms]
) -> None:
    app.commands.sign_agreement("acme-1", make_terms(), JANUARY)

    with pytest.raises(FailedPreconditionError):
        subscribe(app, agreement_id="acme-1")


def test_subscribing_to_an_unknown_tier_names_the_field(app: LedgerApplication) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        subscribe(app, tier_id="gold")

    assert [v.field for v in refused.value.violations] == ["tier_id"]


def test_changing_the_tier_of_a_customer_without_a_subscription_is_not_found(
    app: LedgerApplication,
) -> None:
    with pytest.raises(NotFoundError):
        app.subscriptions.change_tier(SERVICE, "globex", "premium", None, MARCH)


def test_a_tier_change_at_a_stale_expected_version_is_a_version_conflict(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    app.subscriptions.change_tier(SERVICE, "globex", "premium", None, MARCH, expected_version=1)

    with pytest.raises(VersionConflictError):
        app.subscriptions.end(SERVICE, "globex", MARCH + timedelta(days=1), expected_version=1)


def test_a_subscribe_retried_with_its_request_id_gets_the_first_answer(
    app: LedgerApplication,
) -> None:
    request = CommandRequest("subscribe-globex-1", "Subscribe", b"fingerprint")
    first, position = subscribe(app, request=request)

    with pytest.raises(RequestCarriedOutError) as retried:
        subscribe(app, request=request)

    again, again_position = app.subscriptions.carried_out(retried.value.record)
    assert (again.version, again.current, again_position) == (
        first.version,
        first.current,
        position,
    )
    assert app.event_log.head() == position


def test_a_tier_change_retried_with_its_request_id_gets_the_first_answer(
    app: LedgerApplication,
) -> None:
    subscribe(app)
    request = CommandRequest("upgrade-globex-1", "ChangeSubscriptionTier", b"fingerprint")
    changed, position = app.subscriptions.change_tier(
        SERVICE, "globex", "premium", None, MARCH, expected_version=1, request=request
    )

    with pytest.raises(RequestCarriedOutError) as retried:
        app.subscriptions.change_tier(
            SERVICE, "globex", "premium", None, MARCH, expected_version=1, request=request
        )

    again, again_position = app.subscriptions.carried_out(retried.value.record)
    assert (again.version, again.changes, again_position) == (2, changed.changes, position)
