"""The ledger application against real storage: one contract, run on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement import Agreement
from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    NotFoundError,
    VersionConflictError,
)
from domain.measurements import MetricMeasured
from service.app.application import LedgerApplication
from service.bootstrap import open_application
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.concurrency import run_concurrently
from tests.integration.measurement_contract import SIGNED_AT, MeasurementContract


def open_app(database_url: str, clock: Callable[[], datetime]) -> LedgerApplication:
    """An application on the database, creating its tables the way the server does."""
    storage = parse_database_url(database_url)
    return open_application(storage, clock=clock)


class ApplicationContract(MeasurementContract):
    """Behaviour every storage backend must show; subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def clock(self) -> SteppingClock:
        return SteppingClock(datetime(2026, 6, 1, tzinfo=UTC))

    @pytest.fixture
    def app(self, database_url: str, clock: SteppingClock) -> Iterator[LedgerApplication]:
        application = open_app(database_url, clock)
        yield application
        application.close()

    def test_a_signed_agreement_reads_back_with_its_terms(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        terms = make_terms()
        app.commands.sign_agreement("acme-1", terms, SIGNED_AT)

        standing = app.agreements.agreement_at(
            "acme-1", SIGNED_AT, datetime.now(UTC) + timedelta(days=999)
        )

        assert standing.terms.terms == terms
        assert standing.version == 1

    def test_signing_a_taken_agreement_id_is_refused(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)

        with pytest.raises(AlreadyExistsError):
            app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)

    def test_an_amendment_with_a_stale_expected_version_is_aborted(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.commands.amend_agreement(
            "acme-1", make_terms(services=("api", "db")), SIGNED_AT, expected_version=1
        )

        with pytest.raises(VersionConflictError):
            app.commands.amend_agreement("acme-1", make_terms(), SIGNED_AT, expected_version=1)

    def test_a_second_termination_is_refused_by_the_agreements_state(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.commands.terminate_agreement(
            "acme-1", SIGNED_AT + timedelta(days=40), expected_version=1
        )

        with pytest.raises(FailedPreconditionError):
            app.commands.terminate_agreement(
                "acme-1", SIGNED_AT + timedelta(days=41), expected_version=2
            )

    def test_changing_an_unknown_agreement_is_not_found(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        with pytest.raises(NotFoundError):
            app.commands.amend_agreement("nobody", make_terms(), SIGNED_AT)

    def test_known_at_before_an_amendment_was_recorded_shows_the_earlier_terms(
        self, app: LedgerApplication, clock: SteppingClock, make_terms: Callable[..., Any]
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        before_amendment = clock.now
        app.commands.amend_agreement(
            "acme-1", make_terms(services=("api", "db")), SIGNED_AT + timedelta(days=31)
        )
        after_amendment = clock.now
        as_of = SIGNED_AT + timedelta(days=45)

        assert app.agreements.agreement_at("acme-1", as_of, before_amendment).terms.number == 1
        assert app.agreements.agreement_at("acme-1", as_of, after_amendment).terms.number == 2

    def test_as_of_before_an_amendment_takes_effect_shows_the_earlier_terms(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.commands.amend_agreement(
            "acme-1", make_terms(services=("api", "db")), SIGNED_AT + timedelta(days=31)
        )
        now = datetime.now(UTC) + timedelta(days=999)

        assert (
            app.agreements.agreement_at("acme-1", SIGNED_AT + timedelta(days=30), now).terms.number
            == 1
        )
        assert (
            app.agreements.agreement_at("acme-1", SIGNED_AT + timedelta(days=31), now).terms.number
            == 2
        )

    def test_listing_one_agreement_leaves_out_the_others(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.commands.sign_agreement("acme-10", make_terms(), SIGNED_AT)
        app.ingest.record_measurements("acme-10", make_readings(10))
        app.ingest.record_measurements("acme-1", make_readings(10))

        listed = app.event_log.list_events("acme-1", 0, 100)

        assert [type(e.event) for e in listed] == [Agreement.Signed, MetricMeasured]
        assert [e.position for e in listed] == sorted(e.position for e in listed)

    def test_the_whole_log_lists_in_position_order_across_pages(
        self, app: LedgerApplication, make_terms: Callable[..., Any]
    ) -> None:
        for number in range(5):
            app.commands.sign_agreement(f"acme-{number}", make_terms(), SIGNED_AT)

        first = app.event_log.list_events("", 0, 3)
        rest = app.event_log.list_events("", first[-1].position, 3)

        assert [e.event.agreement_id for e in first + rest] == [f"acme-{n}" for n in range(5)]

    def test_a_reopened_application_sees_everything_recorded(
        self,
        database_url: str,
        clock: SteppingClock,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        first = open_app(database_url, clock)
        first.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        first.ingest.record_measurements("acme-1", make_readings(500))
        first.close()

        reopened = open_app(database_url, clock)
        try:
            again = reopened.ingest.record_measurements("acme-1", make_readings(500))
            standing = reopened.agreements.agreement_at("acme-1", SIGNED_AT, clock.now)
        finally:
            reopened.close()

        assert (again.recorded_count, again.duplicate_count) == (0, 500)
        assert standing.agreement_id == "acme-1"

    def test_closing_a_month_appends_its_result_once_even_with_concurrent_closers(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(time_zone="UTC"), SIGNED_AT)
        app.ingest.record_measurements("acme-1", make_readings(100))

        def close() -> int:
            return len(app.commands.close_periods("acme-1", SIGNED_AT + timedelta(days=31)).events)

        results, errors = run_concurrently([close] * 3)

        closes = [
            e
            for e in app.event_log.list_events("acme-1", 0, 1_000)
            if type(e.event).__name__ == "PeriodClosed"
        ]
        # One closer appends PeriodClosed and BreachDetected (99.17% < 99.9%); the others nothing.
        assert errors == []
        assert sorted(results) == [0, 0, 2]
        assert [c.event.period_label for c in closes] == ["2026-01"]

    def test_a_reading_recorded_after_its_month_closed_is_marked_late(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(time_zone="UTC"), SIGNED_AT)
        app.ingest.record_measurements("acme-1", make_readings(10))
        app.commands.close_periods("acme-1", SIGNED_AT + timedelta(days=31))

        late = app.ingest.record_measurements("acme-1", make_readings(20))

        assert (late.recorded_count, late.late_count) == (10, 10)

    def test_compliance_reads_the_closed_month_back_after_a_reopen(
        self,
        database_url: str,
        clock: SteppingClock,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        first = open_app(database_url, clock)
        first.commands.sign_agreement("acme-1", make_terms(time_zone="UTC"), SIGNED_AT)
        first.ingest.record_measurements("acme-1", make_readings(100))
        first.commands.close_periods("acme-1", SIGNED_AT + timedelta(days=31))
        first.close()

        reopened = open_app(database_url, clock)
        try:
            report, _ = reopened.compliance.by_stream_replay(
                "acme-1", "", SIGNED_AT + timedelta(days=31), clock.now
            )
        finally:
            reopened.close()

        # 100 readings of 59 or 60 good of 60 (every other one 59): 5,950 of 6,000 -> 99.166667%.
        [objective] = report.objectives
        assert objective.period_label == "2026-02"
        assert [b.period_label for b in report.breaches] == ["2026-01"]
        assert report.breaches[0].attained == Decimal("99.166667")


class TestApplicationOnSQLite(ApplicationContract):
    """The contract on a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestApplicationOnPostgres(ApplicationContract):
    """The contract on PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
