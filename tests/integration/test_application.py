"""The ledger application against real storage: one contract, run on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.agreement import Agreement
from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    VersionConflictError,
)
from domain.instants import to_epoch_us
from domain.measurements import Measurement, MetricMeasured, group_by_stream, measured_events
from service.app.application import LedgerApplication
from service.store.measurement_keys import measurement_keys
from service.store.storage import SchemaLock, parse_database_url
from tests.concurrency import run_concurrently

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


class SteppingClock:
    """A record clock that moves one second per reading, so record instants are distinct."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=1)
            return self.now


def record_as_before_spans(app: LedgerApplication, agreement_id: str, readings: list[Any]) -> None:
    """Append readings as the ledger did before measured spans: every key in the key index."""
    groups = group_by_stream(agreement_id, readings)
    events = measured_events(agreement_id, groups, {}, datetime(2026, 5, 1, tzinfo=UTC))
    app.save(*events, measurement_keys=measurement_keys(agreement_id, readings))


def open_app(database_url: str, clock: Callable[[], datetime]) -> LedgerApplication:
    """An application on the database, creating its tables the way the server does."""
    storage = parse_database_url(database_url)
    with SchemaLock(storage):
        return LedgerApplication(env={**storage.env, "CREATE_TABLE": "y"}, clock=clock)


class ApplicationContract:
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

    def test_a_batch_is_recorded_whole_and_counted(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)

        result = app.ingest.record_measurements("acme-1", make_readings(10_000))

        assert (result.recorded_count, result.duplicate_count) == (10_000, 0)
        assert result.log_position > 1

    def test_a_resent_batch_records_nothing_twice(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.ingest.record_measurements("acme-1", make_readings(3_000))

        result = app.ingest.record_measurements("acme-1", make_readings(5_000))

        assert (result.recorded_count, result.duplicate_count) == (2_000, 3_000)
        recorded = [
            reading
            for logged in app.event_log.list_events("acme-1", 0, 1_000)
            if isinstance(logged.event, MetricMeasured)
            for reading in logged.event.measurements()
        ]
        assert len(recorded) == len({r.observed_at_us for r in recorded}) == 5_000

    def test_a_sparse_batch_over_many_recorded_readings_finds_exactly_its_duplicates(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        day = make_readings(1440)
        app.ingest.record_measurements("acme-1", day)
        between = day[700]._replace(observed_at_us=day[700].observed_at_us + 30_000_000)

        result = app.ingest.record_measurements("acme-1", [day[0], between, day[-1]])

        assert (result.recorded_count, result.duplicate_count) == (1, 2)

    @pytest.mark.parametrize("step", [3, 500], ids=["dense span", "crowded span"])
    def test_the_key_index_answers_exactly_which_keys_are_recorded(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
        step: int,
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        day = make_readings(1440)
        record_as_before_spans(app, "acme-1", day[::2])  # every other minute
        asked = measurement_keys("acme-1", day[::step][:10])

        found = app.ledger_recorder.recorded_keys(asked)

        assert found == set(asked) & set(measurement_keys("acme-1", day[::2]))

    def test_a_batch_overlapping_the_end_of_a_recorded_one_records_only_what_is_new(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        readings = make_readings(150)
        app.ingest.record_measurements("acme-1", readings[:100])

        result = app.ingest.record_measurements("acme-1", readings[50:])

        assert (result.recorded_count, result.duplicate_count) == (50, 50)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        batches=st.lists(
            st.lists(
                st.tuples(st.integers(0, 3 * 1440), st.sampled_from(["", "", "", "a", "b"])),
                min_size=1,
                max_size=40,
            ),
            min_size=1,
            max_size=6,
        )
    )
    def test_batches_record_each_identity_once_however_they_overlap(
        self, app: LedgerApplication, make_terms: Callable[..., Any], batches: list[Any]
    ) -> None:
        agreement_id = f"p-{uuid.uuid4().hex[:10]}"
        app.commands.sign_agreement(agreement_id, make_terms(), SIGNED_AT)
        start = to_epoch_us(SIGNED_AT)
        seen: set[str | int] = set()
        for batch in batches:
            readings = [
                Measurement("availability", mid, start + minute * 60_000_000, good=1, total=1)
                for minute, mid in batch
            ]
            identities = [r.measurement_id or r.observed_at_us for r in readings]
            new = set(identities) - seen
            seen |= new

            result = app.ingest.record_measurements(agreement_id, readings)

            assert (result.recorded_count, result.duplicate_count) == (
                len(new),
                len(readings) - len(new),
            )

    def test_readings_recorded_before_spans_existed_are_still_duplicates(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        record_as_before_spans(app, "acme-1", make_readings(100))

        result = app.ingest.record_measurements("acme-1", make_readings(150))

        assert (result.recorded_count, result.duplicate_count) == (50, 100)

    def test_readings_with_client_ids_are_duplicates_on_any_day(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        first = [r._replace(measurement_id=f"m-{i}") for i, r in enumerate(make_readings(3))]
        app.ingest.record_measurements("acme-1", first)
        a_day_later = [r._replace(observed_at_us=r.observed_at_us + 86_400_000_000) for r in first]

        result = app.ingest.record_measurements("acme-1", a_day_later)

        assert (result.recorded_count, result.duplicate_count) == (0, 3)

    def test_a_batch_with_one_unknown_objective_writes_nothing(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        _, signed_position = app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        batch = make_readings(100) + make_readings(1, objective_id="latency")

        with pytest.raises(InvalidArgumentError) as refusal:
            app.ingest.record_measurements("acme-1", batch)

        assert [v.field for v in refusal.value.violations] == ["measurements[100].objective_id"]
        assert app.recorder.max_notification_id() == signed_position

    def test_readings_for_an_unknown_agreement_are_refused(
        self, app: LedgerApplication, make_readings: Callable[..., Any]
    ) -> None:
        with pytest.raises(NotFoundError):
            app.ingest.record_measurements("nobody", make_readings(1))

    def test_measurement_streams_hold_at_most_one_day_of_one_objective(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        app.ingest.record_measurements("acme-1", make_readings(3 * 1440))

        streams = {
            logged.event.originator_id
            for logged in app.event_log.list_events("acme-1", 0, 1_000)
            if isinstance(logged.event, MetricMeasured)
        }

        assert streams == {
            f"agreement:acme-1/objective:availability/day:2026-01-0{day}" for day in (1, 2, 3)
        }

    def test_concurrent_batches_of_the_same_readings_record_each_reading_once(
        self,
        app: LedgerApplication,
        make_terms: Callable[..., Any],
        make_readings: Callable[..., Any],
    ) -> None:
        app.commands.sign_agreement("acme-1", make_terms(), SIGNED_AT)
        batch = make_readings(2_000)

        def send() -> tuple[int, int]:
            result = app.ingest.record_measurements("acme-1", batch)
            return result.recorded_count, result.duplicate_count

        results, errors = run_concurrently([send] * 4)

        assert errors == []
        assert sum(recorded for recorded, _ in results) == 2_000
        assert all(recorded + duplicates == 2_000 for recorded, duplicates in results)

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
