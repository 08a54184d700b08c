"""Hypothesis strategies: valid case timelines and case objectives."""

from __future__ import annotations

from hypothesis import strategies as st

from domain.case_milestones import Milestone, MilestoneKind
from domain.case_timeline import sorted_timeline
from domain.objectives import PAUSE_REASONS, ClockStop
from domain.terms import Objective
from tests.unit.cases.timelines import HOUR_US, OFFICE_HOURS, at, case_objective

START_US = at("2026-04-01T00:00:00+00:00")
PRIORITIES = ("P1", "P2")
_NEXT = {
    "open": (
        MilestoneKind.PAUSED,
        MilestoneKind.RESOLVED,
        MilestoneKind.CANCELLED,
        MilestoneKind.FIRST_RESPONSE,
        MilestoneKind.RELABELED,
    ),
    "paused": (MilestoneKind.RESUMED, MilestoneKind.RESOLVED, MilestoneKind.CANCELLED),
    "resolved": (MilestoneKind.REOPENED, MilestoneKind.RELABELED),
}
_AFTER = {
    MilestoneKind.PAUSED: "paused",
    MilestoneKind.RESUMED: "open",
    MilestoneKind.RESOLVED: "resolved",
    MilestoneKind.REOPENED: "open",
    MilestoneKind.CANCELLED: "cancelled",
}


@st.composite
def timelines(draw: st.DrawFn, case_id: str = "T-1") -> list[Milestone]:
    """A valid timeline of one case: opened, then a few milestones hours apart."""
    now = START_US + draw(st.integers(0, 20 * 24)) * HOUR_US // 2
    timeline = [
        Milestone(
            case_id,
            MilestoneKind.OPENED,
            now,
            labels={"priority": draw(st.sampled_from(PRIORITIES))},
        )
    ]
    state, responded = "open", False
    for _ in range(draw(st.integers(0, 7))):
        if state == "cancelled":
            break
        choices = [k for k in _NEXT[state] if not (k is MilestoneKind.FIRST_RESPONSE and responded)]
        kind = draw(st.sampled_from(choices))
        now += draw(st.integers(0, 12)) * HOUR_US // 2 + draw(st.sampled_from((0, 1, 7)))
        if any(m.kind is kind and m.occurred_at_us == now for m in timeline):
            now += 1  # the same kind at the same instant would be a duplicate, not a milestone
        labels = (
            {"priority": draw(st.sampled_from(PRIORITIES))}
            if kind is MilestoneKind.RELABELED
            else None
        )
        reason = draw(st.sampled_from(PAUSE_REASONS)) if kind is MilestoneKind.PAUSED else ""
        timeline.append(Milestone(case_id, kind, now, "", labels, reason))
        responded = responded or kind is MilestoneKind.FIRST_RESPONSE
        state = _AFTER.get(kind, state)
    return sorted_timeline(timeline)


@st.composite
def case_objectives(draw: st.DrawFn) -> Objective:
    """A case objective with a random stop, target, schedule, scope and pause reasons."""
    return case_objective(
        hours=draw(st.sampled_from((0.5, 1, 4, 8, 30))),
        stop=draw(st.sampled_from(tuple(ClockStop))),
        schedule=draw(st.sampled_from((None, OFFICE_HOURS))),
        scope=draw(st.sampled_from(({}, {"priority": "P1"}, {"priority": "P2"}))),
        pause_reasons=tuple(
            draw(st.lists(st.sampled_from(PAUSE_REASONS), unique=True, max_size=2))
        ),
    )
