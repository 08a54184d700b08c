"""Properties of deduplication, grouping and events over random batches, and of rounding."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.instants import MICROSECONDS_PER_DAY, to_epoch_us
from domain.measurements import (
    Deduplicated,
    Measurement,
    deduplicate,
    group_by_stream,
    measured_events,
    plainly_valid,
    reading_violations,
)
from domain.money import MINOR_UNITS, Money
from domain.objectives import Indicator
from service.store.measurement_keys import measurement_keys


def key_of(agreement_id: str, reading: Measurement) -> bytes:
    """The key the ledger indexes one reading by."""
    return measurement_keys(agreement_id, [reading])[0]


AGREEMENT_ID = "sla-1"
START_US = to_epoch_us(datetime(2024, 3, 9, 18, 0, tzinfo=UTC))
RECORDED_AT = datetime(2024, 3, 20, tzinfo=UTC)

# A batch, the key of each reading, and the keys the ledger already holds.
Case = tuple[list[Measurement], list[bytes], set[bytes]]

# No example database: the tests read and write nothing outside memory.
PROPERTY = settings(database=None, max_examples=100)

identifiers = st.text(alphabet="abcxyz019.-_~", min_size=1, max_size=6)
# A small id space with "" (identified by observed time) makes repeated identities common.
measurement_ids = st.one_of(st.just(""), identifiers)
observed = st.integers(START_US, START_US + 3 * MICROSECONDS_PER_DAY)
labels = st.one_of(
    st.none(),
    st.dictionaries(identifiers, st.text(max_size=5), min_size=1, max_size=3),
)


@st.composite
def readings(draw: st.DrawFn) -> Measurement:
    objective_id = draw(st.sampled_from(["availability", "latency-p99"]))
    measurement_id = draw(measurement_ids)
    observed_at_us = draw(observed)
    if draw(st.booleans()):
        total = draw(st.integers(0, 10**6))
        good = draw(st.integers(0, total))
        return Measurement(
            objective_id,
            measurement_id,
            observed_at_us,
            good=good,
            total=total,
            labels=draw(labels),
        )
    value = draw(st.floats(allow_nan=False, allow_infinity=False))
    return Measurement(
        objective_id, measurement_id, observed_at_us, sample=value, labels=draw(labels)
    )


@st.composite
def batches(draw: st.DrawFn) -> list[Measurement]:
    """Random readings, with some of them sent again (same identity, maybe other values)."""
    batch = draw(st.lists(readings(), min_size=1, max_size=40))
    for index in draw(st.lists(st.integers(0, len(batch) - 1), max_size=10)):
        original = batch[index]
        again = draw(readings())
        batch.append(
            Measurement(
                original.objective_id,
                original.measurement_id,
                original.observed_at_us,
                good=again.good,
                total=again.total,
                sample=again.sample,
                labels=again.labels,
            )
        )
    return draw(st.permutations(batch))


@st.composite
def batches_with_recorded_keys(draw: st.DrawFn) -> Case:
    batch = draw(batches())
    keys = [key_of(AGREEMENT_ID, reading) for reading in batch]
    recorded = draw(st.sets(st.sampled_from(keys))) | draw(
        st.sets(st.binary(min_size=17, max_size=25), max_size=3)
    )
    return batch, keys, recorded


def dedup(case: Case) -> Deduplicated:
    batch, keys, recorded = case
    return deduplicate(batch, keys, recorded)


@PROPERTY
@given(batches_with_recorded_keys())
def test_deduplication_keeps_exactly_the_distinct_unrecorded_keys(
    case: Case,
) -> None:
    _, keys, recorded = case

    result = dedup(case)

    assert sorted(result.keys) == sorted(set(keys) - recorded)


@PROPERTY
@given(batches_with_recorded_keys())
def test_deduplication_keeps_the_first_reading_of_each_new_key(
    case: Case,
) -> None:
    batch, keys, _ = case
    first_of: dict[bytes, Measurement] = {}
    for key, reading in zip(keys, batch, strict=True):
        first_of.setdefault(key, reading)

    result = dedup(case)

    assert result.readings == [first_of[key] for key in result.keys]


@PROPERTY
@given(batches_with_recorded_keys())
def test_kept_and_duplicate_readings_add_up_to_the_batch(
    case: Case,
) -> None:
    batch, _, _ = case

    result = dedup(case)

    assert len(result.readings) + result.duplicate_count == len(batch)


@PROPERTY
@given(batches_with_recorded_keys())
def test_events_give_back_every_kept_reading_exactly_once(
    case: Case,
) -> None:
    kept = dedup(case).readings

    events = measured_events(AGREEMENT_ID, group_by_stream(AGREEMENT_ID, kept), {}, RECORDED_AT)
    returned = [reading for event in events for reading in event.measurements()]

    def by_key(reading: Measurement) -> bytes:
        return key_of(AGREEMENT_ID, reading)

    assert sorted(returned, key=by_key) == sorted(kept, key=by_key)


@PROPERTY
@given(batches())
def test_every_event_holds_one_objective_and_one_utc_day(batch: list[Measurement]) -> None:
    events = measured_events(AGREEMENT_ID, group_by_stream(AGREEMENT_ID, batch), {}, RECORDED_AT)

    for event in events:
        assert {r.objective_id for r in event.measurements()} == {event.objective_id}
        assert {r.observed_at.date() for r in event.measurements()} == {event.day.date()}


currencies = st.sampled_from(sorted(MINOR_UNITS))
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6)
non_negative_amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("1e12"), places=6)


@PROPERTY
@given(amounts, currencies)
def test_rounding_twice_is_rounding_once(amount: Decimal, currency: str) -> None:
    once = Money(amount, currency).rounded()

    assert once.rounded() == once


@PROPERTY
@given(amounts, currencies)
def test_rounding_moves_an_amount_by_at_most_half_a_minor_unit(
    amount: Decimal, currency: str
) -> None:
    money = Money(amount, currency)
    half_minor_unit = Decimal(1).scaleb(-money.minor_unit) / 2

    assert abs(money.rounded().amount - amount) <= half_minor_unit


@PROPERTY
@given(non_negative_amounts, currencies)
def test_a_rounded_non_negative_amount_has_no_problems(amount: Decimal, currency: str) -> None:
    assert Money(amount, currency).rounded().problems() == []


INDICATORS = {
    "availability": Indicator.RATIO,
    "slices": Indicator.TIME_SLICES,
    "latency-p99": Indicator.THRESHOLD,
}
LATEST_US = START_US + 2 * MICROSECONDS_PER_DAY


RARELY = st.integers(0, 30).map(lambda n: n == 0)
FAULTS = [
    "good above total",
    "not a number",
    "infinite",
    "no value",
    "the other form",
    "malformed id",
    "label too long",
    "too many labels",
    "in the future",
    "counts and a sample",
    "good missing",
]


@st.composite
def mostly_plain_readings(draw: st.DrawFn, objective_id: str) -> Measurement:
    """Readings of the form their objective takes, one in four wrong in one of the ways checked."""
    fault = draw(st.sampled_from([None, None, None, *FAULTS]))
    threshold = INDICATORS.get(objective_id) is Indicator.THRESHOLD
    if fault == "the other form":
        threshold = not threshold
    sample = good = total = None
    if threshold:
        sample = draw(st.floats(allow_nan=False, allow_infinity=False))
        sample = {"not a number": math.nan, "infinite": math.inf}.get(fault or "", sample)
    else:
        total = draw(st.integers(0, 100))
        good = total + 1 if fault == "good above total" else draw(st.integers(0, total))
    if fault == "no value":
        good = total = sample = None
    elif fault == "counts and a sample":
        good, total, sample = 1, 2, 0.5
    elif fault == "good missing":
        good, total, sample = None, 2, None
    reading_labels = {
        "label too long": {"k": "v" * 200},
        "too many labels": {f"k{i}": "v" for i in range(20)},
    }.get(fault or "")
    return Measurement(
        objective_id,
        "not an id!" if fault == "malformed id" else "",
        LATEST_US + 1 if fault == "in the future" else draw(st.integers(START_US, LATEST_US)),
        good,
        total,
        sample,
        reading_labels,
    )


@st.composite
def mostly_plain_batches(draw: st.DrawFn) -> list[Measurement]:
    """Batches of one objective's readings, sometimes of two or of an unknown one."""
    objectives = st.sampled_from([*INDICATORS, "unknown"])
    first = draw(objectives)
    other = draw(objectives) if draw(RARELY) else first
    return draw(
        st.lists(
            st.sampled_from([first, other]).flatmap(mostly_plain_readings),
            min_size=1,
            max_size=8,
        )
    )


@given(mostly_plain_batches(), st.sampled_from([None, LATEST_US]))
@settings(PROPERTY, max_examples=400)
def test_a_batch_the_column_checks_pass_has_no_reading_violations(
    batch: list[Measurement], latest_us: int | None
) -> None:
    if plainly_valid(batch, INDICATORS, latest_us):
        assert not reading_violations(batch, INDICATORS, latest_us)
