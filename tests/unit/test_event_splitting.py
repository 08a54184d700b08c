"""A stream's readings are cut into several MetricMeasured events where one would be too large."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.event_sizes import READINGS_BYTES, plain_reading_bytes, reading_bytes
from domain.instants import MICROSECONDS_PER_DAY, to_epoch_us
from domain.measurements import Measurement, MetricMeasured, group_by_stream, measured_events

AGREEMENT_ID = "sla-1"
RECORDED_AT = datetime(2026, 3, 20, tzinfo=UTC)
DAY_US = to_epoch_us(datetime(2026, 3, 9, tzinfo=UTC))
PROPERTY = settings(database=None, max_examples=100, deadline=None)

texts = st.text(max_size=12)
readings = st.builds(
    Measurement,
    objective_id=st.sampled_from(["availability", "o" * 128]),
    measurement_id=st.one_of(st.just(""), st.text("abc019.-_~", min_size=1, max_size=128)),
    observed_at_us=st.integers(DAY_US, DAY_US + MICROSECONDS_PER_DAY - 1),
    good=st.just(1),
    total=st.integers(1, 2**63 - 1),
    labels=st.one_of(st.none(), st.dictionaries(texts, texts, min_size=1, max_size=3)),
)
budgets = st.integers(1, 2_000)


def _cost(reading: Measurement) -> int:
    return reading_bytes(reading.objective_id, reading.measurement_id, reading.labels)


def _split(batch: list[Measurement], budget: int, heads: dict[str, int]) -> list[MetricMeasured]:
    groups = group_by_stream(AGREEMENT_ID, batch)
    late = {stream: list(range(0, len(group), 2)) for stream, group in groups.items()}
    return measured_events(AGREEMENT_ID, groups, heads, RECORDED_AT, late, budget)


@PROPERTY
@given(st.lists(readings, min_size=1, max_size=40), budgets)
def test_the_events_of_a_stream_hold_its_readings_in_order(
    batch: list[Measurement], budget: int
) -> None:
    events = _split(batch, budget, {})

    for stream, group in group_by_stream(AGREEMENT_ID, batch).items():
        held = [r for e in events if e.originator_id == stream for r in e.measurements()]
        assert held == group


@PROPERTY
@given(st.lists(readings, min_size=1, max_size=40), budgets, st.integers(0, 5))
def test_the_events_of_a_stream_take_its_next_versions(
    batch: list[Measurement], budget: int, head: int
) -> None:
    streams = list(group_by_stream(AGREEMENT_ID, batch))
    events = _split(batch, budget, dict.fromkeys(streams, head))

    for stream in streams:
        versions = [e.originator_version for e in events if e.originator_id == stream]
        assert versions == list(range(head + 1, head + 1 + len(versions)))


@PROPERTY
@given(st.lists(readings, min_size=1, max_size=40), budgets)
def test_late_indexes_still_name_the_late_readings(batch: list[Measurement], budget: int) -> None:
    events = _split(batch, budget, {})

    for stream, group in group_by_stream(AGREEMENT_ID, batch).items():
        mine = [e for e in events if e.originator_id == stream]
        flags = [i in e.late_indexes for e in mine for i in range(len(e.observed_at_us))]
        assert flags == [i % 2 == 0 for i in range(len(group))]


@PROPERTY
@given(st.lists(readings, min_size=1, max_size=40), budgets)
def test_an_event_of_several_readings_stays_within_the_budget(
    batch: list[Measurement], budget: int
) -> None:
    for event in _split(batch, budget, {}):
        held = event.measurements()
        assert len(held) == 1 or sum(map(_cost, held)) <= budget


def test_a_full_day_of_plain_readings_becomes_as_few_events_as_the_budget_allows() -> None:
    batch = [
        Measurement("availability", "", DAY_US + second * 1_000_000, 59, 60)
        for second in range(86_400)
    ]

    events = measured_events(AGREEMENT_ID, group_by_stream(AGREEMENT_ID, batch), {}, RECORDED_AT)

    per_event = READINGS_BYTES // plain_reading_bytes("availability")
    assert [len(e.observed_at_us) for e in events[:-1]] == [per_event] * (len(events) - 1)
    assert sum(len(e.observed_at_us) for e in events) == 86_400


def test_a_small_batch_is_still_one_event_per_stream() -> None:
    batch = [Measurement("availability", "", DAY_US + i, 59, 60) for i in range(1000)]

    events = measured_events(AGREEMENT_ID, group_by_stream(AGREEMENT_ID, batch), {}, RECORDED_AT)

    assert len(events) == 1
