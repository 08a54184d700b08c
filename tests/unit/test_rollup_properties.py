"""Evaluating a window from rollups gives exactly what evaluating every reading gives."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compliance import evaluate
from domain.exclusions import Exclusion
from domain.instants import to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.objectives import Indicator, ObjectiveRules, Schedule
from domain.periods import schedule_contains
from domain.rollup_evaluation import BucketUse, WindowPlan, evaluate_rollups
from domain.rollup_sums import BUCKET_US, roll_up, span_of, summarize, summarize_event
from domain.terms import Objective, PeriodUnit
from tests.semantics_strategies import (
    APR,
    BOUNDED_KINDS,
    SECOND,
    SPAN_SECONDS,
    ZONES,
    exclusions,
    objectives,
    readings,
)

PROPERTY = settings(database=None, max_examples=300, deadline=None)
ALL_KINDS = (*BOUNDED_KINDS, Indicator.CUMULATIVE)
ALL_ZONES = (*ZONES, "Asia/Kolkata")
LABEL_SETS = (None, {"tier": "gold"}, {"tier": "silver"}, {"tier": "gold", "region": "eu"})


@st.composite
def scoped_objectives(draw: st.DrawFn) -> Objective:
    """An objective of any kind, sometimes scoped to gold readings or with odd business hours."""
    objective = draw(objectives(ALL_KINDS))
    rules = objective.rules
    scope = draw(st.sampled_from(({}, {}, {"tier": "gold"})))
    schedule = rules.schedule
    if schedule is not None:
        start, end = draw(st.sampled_from(((480, 1080), (487, 1003), (487, 493))))
        schedule = dataclasses.replace(schedule, start_minute=start, end_minute=end)
    rules = dataclasses.replace(rules, label_scope=scope, schedule=schedule)
    return dataclasses.replace(objective, rules=rules)


@st.composite
def shaped_readings(draw: st.DrawFn, objective: Objective) -> list[Measurement]:
    """Readings with counts, a sample or both, some labelled, some on the threshold itself,
    spread over two months or packed into an hour so that buckets hold several."""
    found = draw(readings(max_size=60))
    if draw(st.booleans()):
        first = to_epoch_us(APR) + draw(st.integers(0, SPAN_SECONDS - 86_400)) * 1_000_000
        found = [
            r._replace(observed_at_us=first + r.observed_at_us % (4 * BUCKET_US)) for r in found
        ]
    threshold = objective.rules.threshold
    shaped = []
    for reading in found:
        shape = draw(st.sampled_from(("counts", "sample", "both", "on threshold")))
        if shape == "counts":
            reading = reading._replace(sample=None)
        elif shape == "sample":
            reading = reading._replace(good=None, total=None)
        elif shape == "on threshold" and threshold is not None:
            reading = reading._replace(good=None, total=None, sample=float(threshold.value))
        shaped.append(reading._replace(labels=draw(st.sampled_from(LABEL_SETS))))
    return shaped


@st.composite
def batches(draw: st.DrawFn, found: list[Measurement]) -> list[list[Measurement]]:
    """The readings split into recording batches."""
    cuts = sorted(draw(st.lists(st.integers(0, len(found)), max_size=4)))
    return [found[a:b] for a, b in pairwise([0, *cuts, len(found)])]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Objective, list[Measurement], list[list[Measurement]]]:
    """An objective, its readings and the batches they were recorded in."""
    objective = draw(scoped_objectives())
    found = draw(shaped_readings(objective))
    return objective, found, draw(batches(found))


@PROPERTY
@given(
    case=cases(),
    excluded=exclusions(),
    zone=st.sampled_from(ALL_ZONES),
    start_seconds=st.integers(0, SPAN_SECONDS // 2),
    length_seconds=st.integers(1, SPAN_SECONDS),
    as_of_seconds=st.integers(0, SPAN_SECONDS + 86_400),
)
def test_rollups_with_the_readings_of_edge_buckets_give_the_oracles_figures(
    case: tuple[Objective, list[Measurement], list[list[Measurement]]],
    excluded: list[Exclusion],
    zone: str,
    start_seconds: int,
    length_seconds: int,
    as_of_seconds: int,
) -> None:
    objective, found, recorded = case
    start = APR + start_seconds * SECOND
    end = start + length_seconds * SECOND
    as_of = APR + as_of_seconds * SECOND
    plan = WindowPlan(objective, start, end, excluded, zone, as_of)
    rollups = [span_of(summarize(batch)) for batch in recorded if batch]
    spans = plan.reading_spans()
    edge_readings = [r for r in found if any(a <= r.observed_at_us < b for a, b in spans)]

    expected = evaluate(objective, start, end, found, excluded, zone, as_of)

    assert evaluate_rollups(plan, rollups, edge_readings) == expected


@PROPERTY
@given(
    case=cases(),
    excluded=exclusions(),
    zone=st.sampled_from(ALL_ZONES),
    as_of_seconds=st.integers(0, SPAN_SECONDS + 86_400),
)
def test_extra_readings_and_rollups_of_edge_buckets_change_nothing(
    case: tuple[Objective, list[Measurement], list[list[Measurement]]],
    excluded: list[Exclusion],
    zone: str,
    as_of_seconds: int,
) -> None:
    objective, found, recorded = case
    end = APR + SPAN_SECONDS * SECOND
    as_of = APR + as_of_seconds * SECOND
    plan = WindowPlan(objective, APR, end, excluded, zone, as_of)
    rollups = [span_of(summarize(batch)) for batch in recorded if batch]
    edges = [s for s in summarize(found) if plan.use(s.bucket_us) is BucketUse.READINGS]
    edge_rollups = [span_of([s]) for s in edges]

    expected = evaluate(objective, APR, end, found, excluded, zone, as_of)

    assert evaluate_rollups(plan, rollups + edge_rollups, found) == expected


def test_a_window_of_whole_buckets_without_schedule_reads_only_the_bucket_holding_as_of() -> None:
    objective = Objective("objective", "metric", Decimal(99), PeriodUnit.MONTH)
    bucket = APR + timedelta(days=1)
    as_of = bucket + timedelta(minutes=3)
    plan = WindowPlan(objective, APR, APR + timedelta(days=30), [], "UTC", as_of)

    assert plan.reading_spans() == [(to_epoch_us(bucket), to_epoch_us(bucket) + BUCKET_US)]


def test_a_bucket_holding_all_of_a_short_business_day_is_read_reading_by_reading() -> None:
    rules = ObjectiveRules(
        schedule=Schedule(days=(1, 2, 3, 4, 5), start_minute=487, end_minute=493)
    )
    objective = Objective("objective", "metric", Decimal(99), PeriodUnit.MONTH, rules=rules)
    monday_8 = datetime(2026, 4, 6, 8, tzinfo=UTC)
    inside = Measurement("objective", "", to_epoch_us(monday_8 + timedelta(minutes=10)), 0, 10)
    outside = Measurement("objective", "", to_epoch_us(monday_8 + timedelta(minutes=2)), 10, 10)
    as_of = APR + timedelta(days=30)
    plan = WindowPlan(objective, APR, as_of, [], "UTC", as_of)

    assert plan.use(to_epoch_us(monday_8)) is BucketUse.READINGS
    assert evaluate_rollups(
        plan, [span_of(summarize([inside, outside]))], [inside, outside]
    ) == evaluate(objective, APR, as_of, [inside, outside], [], "UTC", as_of)


@PROPERTY
@given(case=cases(), plain=st.booleans(), in_time_order=st.booleans())
def test_the_rollup_kept_of_an_event_is_its_summary(
    case: tuple[Objective, list[Measurement], list[list[Measurement]]],
    plain: bool,
    in_time_order: bool,
) -> None:
    _, found, _ = case
    if in_time_order:
        found = sorted(found, key=lambda r: r.observed_at_us)
    if plain:  # counts only, without labels: the column-by-column path
        found = [
            r._replace(sample=None, labels=None, good=r.good or 0, total=r.total or 0)
            for r in found
        ]
    for event in measured_events("sla", group_by_stream("sla", found), {}, APR):
        summary = summarize_event(event)
        span = span_of(summary)

        rollup = roll_up(event)

        if 2 * len({s.bucket_us for s in summary}) > len(event.observed_at_us):
            assert rollup is None
        else:
            assert rollup is not None
            assert (rollup.first_bucket_us, rollup.last_bucket_us) == (
                span.first_bucket_us,
                span.last_bucket_us,
            )
            assert rollup.totals == list(span.totals or ())
            assert rollup.buckets == summary


@PROPERTY
@given(
    hours=st.sampled_from(((480, 1080), (487, 1003), (487, 493), (0, 1440), (600, 601))),
    days=st.sets(st.integers(1, 7), min_size=1).map(lambda d: tuple(sorted(d))),
    zone=st.sampled_from((*ALL_ZONES, "America/New_York", "Australia/Lord_Howe")),
    first_day=st.integers(0, 360),
    bucket_index=st.integers(0, 96 * 3 - 1),
)
def test_a_bucket_is_in_or_out_of_business_hours_exactly_when_each_of_its_minutes_is(
    hours: tuple[int, int], days: tuple[int, ...], zone: str, first_day: int, bucket_index: int
) -> None:
    schedule = Schedule(days=days, start_minute=hours[0], end_minute=hours[1])
    rules = ObjectiveRules(schedule=schedule, off_schedule_target_percent=Decimal(90))
    objective = Objective("objective", "metric", Decimal(99), PeriodUnit.MONTH, rules=rules)
    window_start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=first_day)
    window_end = window_start + timedelta(days=3)
    plan = WindowPlan(objective, window_start, window_end, [], zone, window_end)
    bucket = window_start + bucket_index * timedelta(microseconds=BUCKET_US)
    # Offsets, shifts and business hours fall on whole minutes: each minute is in or out whole.
    minutes = [schedule_contains(schedule, bucket + timedelta(minutes=m), zone) for m in range(15)]

    use = plan.use(to_epoch_us(bucket))

    if all(minutes):
        assert use is BucketUse.SCHEDULED
    elif not any(minutes):
        assert use is BucketUse.OFF_SCHEDULE
    else:
        assert use is BucketUse.READINGS
