"""Properties of compliance series: the one-pass series equals the oracle's point-by-point
evaluation, and each point inside the window equals the compliance report at its instant."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.compliance_series import Step, series_by_segments, series_from_history
from domain.exclusions import Exclusion
from domain.known_at import history_known_at
from domain.measurements import Measurement
from domain.objectives import Indicator
from domain.oracle import replay_compliance, replay_series
from domain.terms import Objective
from tests.semantics_strategies import (
    APR,
    BOUNDED_KINDS,
    OBJECTIVE_ID,
    SECOND,
    SPAN_SECONDS,
    exclusions,
    objectives,
    readings,
    terms,
)
from tests.unit.worked_examples.builders import History

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
KINDS = (*BOUNDED_KINDS, Indicator.CUMULATIVE)
STEPS = (None, Step.DAY, Step.HOUR)


def _history(
    objective: Objective,
    zone: str,
    batches: list[list[Measurement]],
    excluded: list[Exclusion],
) -> History:
    history = History(terms(objective, zone))
    for batch, exclusion in zip(batches, [*excluded, *([None] * len(batches))], strict=False):
        history.measure(batch)
        if exclusion is not None:
            history.exclude(exclusion)
    return history


@PROPERTY
@given(
    objective=objectives(KINDS),
    zone=st.sampled_from(ZONES),
    batches=st.lists(readings(max_size=40), min_size=1, max_size=3),
    excluded=exclusions(),
    period_seconds=st.integers(0, SPAN_SECONDS - 1),
    as_of_seconds=st.integers(-86_400, SPAN_SECONDS + 86_400),
    step=st.sampled_from(STEPS),
    data=st.data(),
)
def test_the_one_pass_series_equals_one_evaluation_per_point(
    objective: Objective,
    zone: str,
    batches: list[list[Measurement]],
    excluded: list[Exclusion],
    period_seconds: int,
    as_of_seconds: int,
    step: Step | None,
    data: st.DataObject,
) -> None:
    history = _history(objective, zone, batches, excluded)
    known_at = data.draw(st.sampled_from([e.timestamp for e in history.events]))  # type: ignore[attr-defined]
    folded = history_known_at(history.events, known_at)
    period_at, as_of = APR + period_seconds * SECOND, APR + as_of_seconds * SECOND
    long_window = objective.period.value != "week"
    if step is Step.HOUR and long_window:
        step = Step.DAY

    fast = series_by_segments(folded, OBJECTIVE_ID, period_at, as_of, step)

    assert fast == series_from_history(folded, OBJECTIVE_ID, period_at, as_of, step)


@PROPERTY
@given(
    objective=objectives(KINDS),
    zone=st.sampled_from(ZONES),
    batch=readings(max_size=40),
    excluded=exclusions(),
    as_of_seconds=st.integers(0, SPAN_SECONDS - 1),
)
def test_every_point_inside_the_window_is_the_compliance_report_at_its_instant(
    objective: Objective,
    zone: str,
    batch: list[Measurement],
    excluded: list[Exclusion],
    as_of_seconds: int,
) -> None:
    history = _history(objective, zone, [batch], excluded)
    as_of = history.agreement.current_terms.terms.term_start + as_of_seconds * SECOND

    series = replay_series(history.events, OBJECTIVE_ID, as_of, as_of, history.clock)

    assert series.window_end is not None
    for index, point in enumerate(series.points):
        if point.stands_at >= series.window_end:
            continue
        report = replay_compliance(history.events, point.stands_at, history.clock, OBJECTIVE_ID)
        (standing,) = report.objectives
        assert tuple(track[index] for track in series.tracks) == standing.tracks
