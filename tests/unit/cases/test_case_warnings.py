"""Live warnings of case clocks: given a timeline and the warnings raised, when the ledger looks
at now, then the new warnings. Instants computed by hand in the comments.

Unless a test says otherwise: a 4 h resolution clock counting every hour in UTC, at risk at 75%
(3 h), a case opened Monday 2026-01-05 10:00 UTC: at risk at 13:00, due at 14:00.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest

from domain.agreement import TermsVersion
from domain.case_milestones import CaseClockWarned, Milestone, MilestoneKind
from domain.case_timeline import sorted_timeline
from domain.case_warnings import due_warnings, next_look_at
from domain.identifiers import case_warning_stream
from domain.objectives import ClockStop
from domain.terms import AgreementTerms, Objective
from tests.unit.cases.timelines import HOUR_US, OFFICE_HOURS, at, case_objective, milestone, opened

OPENED = opened("2026-01-05T10:00:00+00:00")
RESOLUTION = case_objective("resolution", hours=4)
DAY_US = 24 * HOUR_US
TermsOf = Callable[..., TermsVersion]


@pytest.fixture
def terms_of(make_terms: Callable[..., AgreementTerms]) -> TermsOf:
    """Version 2 of terms in UTC holding the given objectives beside the default ones."""

    def build(*objectives: Objective, time_zone: str = "UTC") -> TermsVersion:
        base = make_terms(time_zone=time_zone)
        terms = dataclasses.replace(base, objectives=(*base.objectives, *objectives))
        return TermsVersion(2, terms, base.term_start, retroactive=False)

    return build


def warn(
    terms: TermsVersion,
    timeline: Sequence[Milestone],
    now: str,
    raised: Sequence[CaseClockWarned] = (),
    percent: int = 75,
    horizon_us: int = DAY_US,
) -> list[CaseClockWarned]:
    return due_warnings(
        "sla-1",
        "T-1",
        sorted_timeline(timeline),
        terms,
        raised,
        datetime.fromisoformat(now),
        percent,
        horizon_us,
    )


def summary(events: Sequence[CaseClockWarned]) -> list[tuple[Any, ...]]:
    """(version, objective, warning, reached, due) of each event."""
    return [
        (e.originator_version, e.objective_id, e.warning, e.reached_at_us, e.due_at_us)
        for e in events
    ]


def test_a_running_clock_past_three_quarters_of_its_target_is_warned_at_risk(
    terms_of: TermsOf,
) -> None:
    warned = warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T13:30:00+00:00")

    assert summary(warned) == [
        (
            1,
            "resolution",
            "at_risk",
            at("2026-01-05T13:00:00+00:00"),
            at("2026-01-05T14:00:00+00:00"),
        )
    ]


def test_a_warning_is_an_event_of_the_case_warning_stream_recorded_at_now(
    terms_of: TermsOf,
) -> None:
    [event] = warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T13:30:00+00:00")

    assert event.originator_id == case_warning_stream("sla-1", "T-1")
    assert event.timestamp == datetime.fromisoformat("2026-01-05T13:30:00+00:00")
    assert (event.agreement_id, event.case_id, event.terms_version) == ("sla-1", "T-1", 2)


def test_a_clock_short_of_its_at_risk_share_is_not_warned(terms_of: TermsOf) -> None:
    assert warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T12:59:59.999999+00:00") == []


def test_a_clock_is_at_risk_from_the_instant_it_reaches_the_share(terms_of: TermsOf) -> None:
    [event] = warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T13:00:00+00:00")

    assert event.warning == "at_risk"


def test_the_at_risk_share_is_configurable(terms_of: TermsOf) -> None:
    # 50% of 4 h = 2 h after 10:00.
    [event] = warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T12:00:00+00:00", percent=50)

    assert event.reached_at_us == at("2026-01-05T12:00:00+00:00")


def test_a_warning_already_raised_is_not_raised_again(terms_of: TermsOf) -> None:
    terms = terms_of(RESOLUTION)
    first = warn(terms, [OPENED], "2026-01-05T13:00:00+00:00")

    assert warn(terms, [OPENED], "2026-01-05T13:59:00+00:00", raised=first) == []


def test_a_clock_still_running_at_its_due_instant_is_warned_breached_after_its_at_risk_warning(
    terms_of: TermsOf,
) -> None:
    terms = terms_of(RESOLUTION)
    first = warn(terms, [OPENED], "2026-01-05T13:00:00+00:00")

    warned = warn(terms, [OPENED], "2026-01-05T14:00:00+00:00", raised=first)

    due = at("2026-01-05T14:00:00+00:00")
    assert summary(warned) == [(2, "resolution", "breached", due, due)]


def test_a_clock_first_seen_breached_is_warned_breached_only(terms_of: TermsOf) -> None:
    warned = warn(terms_of(RESOLUTION), [OPENED], "2026-01-05T15:00:00+00:00")

    assert [e.warning for e in warned] == ["breached"]


def test_a_case_resolved_before_its_due_instant_is_never_warned_breached(
    terms_of: TermsOf,
) -> None:
    resolved = milestone(MilestoneKind.RESOLVED, "2026-01-05T13:59:59+00:00")

    assert warn(terms_of(RESOLUTION), [OPENED, resolved], "2026-01-05T16:00:00+00:00") == []


def test_a_case_resolved_after_its_due_instant_is_warned_breached_at_the_due_instant(
    terms_of: TermsOf,
) -> None:
    resolved = milestone(MilestoneKind.RESOLVED, "2026-01-05T14:30:00+00:00")

    [event] = warn(terms_of(RESOLUTION), [OPENED, resolved], "2026-01-05T15:00:00+00:00")

    assert (event.warning, event.reached_at_us) == ("breached", at("2026-01-05T14:00:00+00:00"))


def test_a_paused_clock_past_its_share_is_not_warned_at_risk(terms_of: TermsOf) -> None:
    paused = milestone(
        MilestoneKind.PAUSED, "2026-01-05T13:10:00+00:00", reason="awaiting_customer"
    )

    assert warn(terms_of(RESOLUTION), [OPENED, paused], "2026-01-05T13:30:00+00:00") == []


def test_a_clock_whose_due_instant_moved_is_warned_again_for_the_new_due_instant(
    terms_of: TermsOf,
) -> None:
    # Warned at risk at 13:05 (due 14:00); paused 13:10-15:00 with 50 min left: due 15:50.
    terms = terms_of(RESOLUTION)
    first = warn(terms, [OPENED], "2026-01-05T13:05:00+00:00")
    paused = milestone(
        MilestoneKind.PAUSED, "2026-01-05T13:10:00+00:00", reason="awaiting_customer"
    )
    resumed = milestone(MilestoneKind.RESUMED, "2026-01-05T15:00:00+00:00")

    warned = warn(terms, [OPENED, paused, resumed], "2026-01-05T15:10:00+00:00", raised=first)

    assert summary(warned) == [
        (
            2,
            "resolution",
            "at_risk",
            at("2026-01-05T13:00:00+00:00"),
            at("2026-01-05T15:50:00+00:00"),
        )
    ]


def test_a_reopened_case_is_warned_when_its_resumed_clock_passes_the_share(
    terms_of: TermsOf,
) -> None:
    # 10:00-11:00 counts 1 h; reopened at 12:00 the clock runs again: the 3 h share is passed
    # 2 h later (14:00), the 4 h target 3 h later (15:00).
    timeline = [
        OPENED,
        milestone(MilestoneKind.RESOLVED, "2026-01-05T11:00:00+00:00"),
        milestone(MilestoneKind.REOPENED, "2026-01-05T12:00:00+00:00"),
    ]

    warned = warn(terms_of(RESOLUTION), timeline, "2026-01-05T14:30:00+00:00")

    assert summary(warned) == [
        (
            1,
            "resolution",
            "at_risk",
            at("2026-01-05T14:00:00+00:00"),
            at("2026-01-05T15:00:00+00:00"),
        )
    ]


def test_a_breach_older_than_the_horizon_is_not_warned(terms_of: TermsOf) -> None:
    # Due Monday 14:00; a day later plus 1 µs it lies beyond a 24 h horizon.
    terms = terms_of(RESOLUTION)

    assert warn(terms, [OPENED], "2026-01-06T14:00:00.000001+00:00") == []


def test_a_breach_exactly_the_horizon_old_is_still_warned(terms_of: TermsOf) -> None:
    [event] = warn(terms_of(RESOLUTION), [OPENED], "2026-01-06T14:00:00+00:00")

    assert event.warning == "breached"


def test_a_case_outside_an_objectives_label_scope_is_not_warned_by_it(terms_of: TermsOf) -> None:
    p1_only = case_objective("p1-resolution", hours=4, scope={"priority": "P1"})
    p2_case = opened("2026-01-05T10:00:00+00:00", priority="P2")

    assert warn(terms_of(p1_only), [p2_case], "2026-01-05T15:00:00+00:00") == []


def test_a_response_clock_on_office_hours_is_at_risk_after_the_weekend(terms_of: TermsOf) -> None:
    # Opened Friday 2026-12-04 16:00 CET with a 2 h response target: 16:00-17:00 counts 1 h; the
    # 1 h 30 min share is passed Monday 09:30 CET, the target Monday 10:00 CET.
    response = case_objective(
        "response", hours=2, stop=ClockStop.FIRST_RESPONSE, schedule=OFFICE_HOURS
    )
    terms = terms_of(response, time_zone="Europe/Berlin")
    case = opened("2026-12-04T16:00:00+01:00")

    warned = warn(terms, [case], "2026-12-07T09:45:00+01:00")

    assert summary(warned) == [
        (1, "response", "at_risk", at("2026-12-07T09:30:00+01:00"), at("2026-12-07T10:00:00+01:00"))
    ]


def test_each_objective_raises_its_own_warning_at_consecutive_versions(terms_of: TermsOf) -> None:
    # A 1 h response clock is due at 11:00; the 4 h resolution clock is at risk from 13:00.
    response = case_objective("response", hours=1, stop=ClockStop.FIRST_RESPONSE)
    terms = terms_of(response, RESOLUTION)

    warned = warn(terms, [OPENED], "2026-01-05T13:30:00+00:00")

    assert [(e.originator_version, e.objective_id, e.warning) for e in warned] == [
        (1, "response", "breached"),
        (2, "resolution", "at_risk"),
    ]


def test_a_cancelled_case_is_not_warned(terms_of: TermsOf) -> None:
    cancelled = milestone(MilestoneKind.CANCELLED, "2026-01-05T12:00:00+00:00")

    assert warn(terms_of(RESOLUTION), [OPENED, cancelled], "2026-01-05T15:00:00+00:00") == []


def test_a_milestone_after_now_is_not_taken_into_account(terms_of: TermsOf) -> None:
    # Resolved at 13:40 as recorded ahead of the ledger's clock (within the skew): at 13:30 the
    # clock still runs.
    resolved = milestone(MilestoneKind.RESOLVED, "2026-01-05T13:40:00+00:00")

    [event] = warn(terms_of(RESOLUTION), [OPENED, resolved], "2026-01-05T13:30:00+00:00")

    assert event.warning == "at_risk"


def look_at(terms: TermsVersion, timeline: Sequence[Milestone], now: str) -> int | None:
    return next_look_at(sorted_timeline(timeline), terms, at(now), 75)


def test_a_clock_short_of_its_share_is_looked_at_again_when_it_reaches_it(
    terms_of: TermsOf,
) -> None:
    assert look_at(terms_of(RESOLUTION), [OPENED], "2026-01-05T11:00:00+00:00") == at(
        "2026-01-05T13:00:00+00:00"
    )


def test_a_clock_at_risk_is_looked_at_again_at_its_due_instant(terms_of: TermsOf) -> None:
    assert look_at(terms_of(RESOLUTION), [OPENED], "2026-01-05T13:00:00+00:00") == at(
        "2026-01-05T14:00:00+00:00"
    )


def test_a_breached_clock_is_not_looked_at_again_until_its_case_changes(
    terms_of: TermsOf,
) -> None:
    assert look_at(terms_of(RESOLUTION), [OPENED], "2026-01-05T14:00:00+00:00") is None


def test_a_paused_clock_is_not_looked_at_again_until_its_case_changes(terms_of: TermsOf) -> None:
    paused = milestone(
        MilestoneKind.PAUSED, "2026-01-05T11:00:00+00:00", reason="awaiting_customer"
    )

    assert look_at(terms_of(RESOLUTION), [OPENED, paused], "2026-01-05T12:00:00+00:00") is None


def test_a_milestone_ahead_of_now_is_looked_at_when_it_occurs(terms_of: TermsOf) -> None:
    # Paused at 12:30 as recorded ahead of the clock: at 12:00 the clock would reach its share
    # at 13:00, but the pause comes first.
    paused = milestone(
        MilestoneKind.PAUSED, "2026-01-05T12:30:00+00:00", reason="awaiting_customer"
    )

    assert look_at(terms_of(RESOLUTION), [OPENED, paused], "2026-01-05T12:00:00+00:00") == at(
        "2026-01-05T12:30:00+00:00"
    )


def test_the_earliest_instant_of_several_clocks_is_looked_at(terms_of: TermsOf) -> None:
    # The 1 h response clock reaches its share (45 min) at 10:45, the resolution clock at 13:00.
    response = case_objective("response", hours=1, stop=ClockStop.FIRST_RESPONSE)

    assert look_at(terms_of(RESOLUTION, response), [OPENED], "2026-01-05T10:30:00+00:00") == at(
        "2026-01-05T10:45:00+00:00"
    )
