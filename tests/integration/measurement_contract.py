"""The measurement part of the application contract: batches recorded whole and once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidArgumentError, NotFoundError
from domain.instants import to_epoch_us
from domain.measurements import Measurement, MetricMeasured, group_by_stream, measured_events
from service.app.application import LedgerApplication
from service.store.ledger_recorder import AppendExtras
from service.store.measurement_keys import measurement_keys
from tests.concurrency import run_concurrently

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def record_as_before_spans(app: LedgerApplication, agreement_id: str, readings: list[Any]) -> None:
    """Append readings as the ledger did before measured spans: every key in the key index."""
    groups = group_by_stream(agreement_id, readings)
    events = measured_events(agreement_id, groups, {}, datetime(2026, 5, 1, tzinfo=UTC))
    app.save(
        *events, extras=AppendExtras(measurement_keys=measurement_keys(agreement_id, readings))
    )


class MeasurementContract:
    """Recording measurements: every storage backend must show it (mixed into the
    application contract, which supplies the fixtures)."""

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
