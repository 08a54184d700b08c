"""Property: the judgement spans a read model stores give judge()'s answer at every cutoff."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.case_clocks import judge
from domain.case_milestones import Milestone
from domain.case_readings import judgement_spans
from domain.terms import Objective
from tests.unit.cases.case_strategies import case_objectives, timelines

ZONES = st.sampled_from(("UTC", "Europe/Berlin", "America/New_York"))


def from_spans(timeline: list[Milestone], objective: Objective, zone: str, cutoff: int) -> object:
    holding = [s for s in judgement_spans(timeline, objective, zone) if s.holds_at(cutoff)]
    assert len(holding) <= 1, "at most one judgement holds at a cutoff"
    return (holding[0].judged_at_us, holding[0].met) if holding else None


@settings(max_examples=150, deadline=None)
@given(timelines(), case_objectives(), ZONES, st.data())
def test_judgement_spans_equal_judge_at_every_cutoff(
    timeline: list[Milestone], objective: Objective, zone: str, data: st.DataObject
) -> None:
    spans = judgement_spans(timeline, objective, zone)
    edges = {m.occurred_at_us for m in timeline} | {s.judged_at_us for s in spans}
    edges |= {s.valid_until_us for s in spans if s.valid_until_us is not None}
    cutoffs = {edge + delta for edge in edges for delta in (-1, 0, 1, 2)}
    first, last = min(edges), max(edges)
    cutoffs |= set(data.draw(st.lists(st.integers(first - 10, last + 10**11), max_size=5)))
    for cutoff in sorted(cutoffs):
        expected = judge(timeline, objective, zone, cutoff)
        found = from_spans(timeline, objective, zone, cutoff)
        assert found == (None if expected is None else (expected.judged_at_us, expected.met)), (
            cutoff
        )
