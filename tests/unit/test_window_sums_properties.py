"""Evaluating windows from the service's readings summed once (a day at a time) and a
subscriber's own data (service/app/window_sums.py) gives exactly what evaluating every reading
its view counts gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement import TermsVersion
from domain.compliance import evaluate
from domain.exclusion_standing import RecordedExclusion, visible_exclusions
from domain.exclusions import Exclusion
from domain.measurements import Measurement
from domain.period_walk import PeriodWindow
from domain.periods import Period
from domain.subscriber_views import CUSTOMER_LABEL, visible_readings
from domain.terms import Objective, PeriodUnit
from service.app.window_sums import WindowSums
from tests.semantics_strategies import APR, SECOND, SPAN_SECONDS, exclusions, terms
from tests.unit.test_rollup_properties import ALL_ZONES, scoped_objectives, shaped_readings

PROPERTY = settings(database=None, max_examples=300, deadline=None)
CUSTOMER = "globex"


@st.composite
def labelled(draw: st.DrawFn, objective: Objective) -> list[Measurement]:
    """Readings some of which concern one customer alone: the subscriber or another."""
    found = draw(shaped_readings(objective))
    result = []
    for reading in found:
        customer = draw(st.sampled_from(("", "", CUSTOMER, "initech")))
        if customer:
            labels = {**(reading.labels or {}), CUSTOMER_LABEL: customer}
            reading = reading._replace(labels=labels)
        result.append(reading)
    return result


@st.composite
def own_exclusions(draw: st.DrawFn) -> list[Exclusion]:
    """Exclusions of the whole service, of the subscriber and of another customer."""
    found = draw(exclusions())
    customers = st.sampled_from(("", CUSTOMER, "initech"))
    return [
        Exclusion(
            e.exclusion_id,
            e.start,
            e.end,
            e.kind,
            e.reason,
            objective_ids=e.objective_ids,
            customer_id=draw(customers),
        )
        for e in found
    ]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Objective, list[Measurement]]:
    """An objective of any kind and its readings."""
    objective = draw(scoped_objectives())
    return objective, draw(labelled(objective))


@PROPERTY
@given(
    case=cases(),
    excluded=own_exclusions(),
    zone=st.sampled_from(ALL_ZONES),
    windows=st.lists(
        st.tuples(st.integers(0, SPAN_SECONDS // 2), st.integers(1, SPAN_SECONDS)),
        min_size=1,
        max_size=3,
    ),
)
def test_subscribers_windows_from_the_services_sums_and_their_own_data_are_the_oracles(
    case: tuple[Objective, list[Measurement]],
    excluded: list[Exclusion],
    zone: str,
    windows: list[tuple[int, int]],
) -> None:
    objective, found = case
    sums = WindowSums()
    sums.add(visible_readings(found, ""))
    seen = visible_exclusions([RecordedExclusion(e, APR) for e in excluded], CUSTOMER)
    own = [r for r in found if r.labels and r.labels.get(CUSTOMER_LABEL) == CUSTOMER]
    for start_seconds, length_seconds in windows:
        start = APR + start_seconds * SECOND
        end = start + length_seconds * SECOND
        version = TermsVersion(1, terms(objective, zone), start, False)
        period = Period(start, end, PeriodUnit.MONTH, "2026-04")
        window = PeriodWindow(objective, period, version, start, end)

        expected = evaluate(
            objective, start, end, visible_readings(found, CUSTOMER), seen, zone, end
        )

        assert sums.evaluate(window, own, seen) == expected


@PROPERTY
@given(case=cases(), zone=st.sampled_from(ALL_ZONES), start_seconds=st.integers(0, SPAN_SECONDS))
def test_the_services_window_from_its_sums_is_the_oracles(
    case: tuple[Objective, list[Measurement]], zone: str, start_seconds: int
) -> None:
    objective, found = case
    service = visible_readings(found, "")
    sums = WindowSums()
    for day in sorted({r.observed_at_us // 86_400_000_000 for r in service}):
        sums.add([r for r in service if r.observed_at_us // 86_400_000_000 == day])
    start = APR + start_seconds * SECOND
    end = start + 31 * 86_400 * SECOND
    version = TermsVersion(1, terms(objective, zone), start, False)
    window = PeriodWindow(objective, Period(start, end, PeriodUnit.MONTH, "x"), version, start, end)

    assert sums.evaluate(window, [], []) == evaluate(objective, start, end, service, [], zone, end)
