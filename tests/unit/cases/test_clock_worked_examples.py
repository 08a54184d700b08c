"""Worked examples of case clocks, computed by hand in the comment above each assertion."""

from __future__ import annotations

from domain.case_milestones import Milestone, MilestoneKind
from domain.case_readings import ClockReading, read_clock
from domain.case_timeline import sorted_timeline
from domain.objectives import ClockStop, Schedule
from domain.terms import Objective
from tests.unit.cases.timelines import (
    HOUR_US,
    OFFICE_HOURS,
    at,
    case_objective,
    milestone,
    opened,
)

BERLIN = "Europe/Berlin"
# Office hours with Friday 2026-12-25 as a holiday.
CHRISTMAS_HOURS = Schedule(OFFICE_HOURS.days, 540, 1020, ("2026-12-25",))
P1_BUSINESS = case_objective(hours=4, schedule=CHRISTMAS_HOURS)


def clock_at(
    timeline: list[Milestone],
    objective: Objective = P1_BUSINESS,
    when: str = "",
    zone: str = BERLIN,
) -> ClockReading | None:
    """The clock of objective on timeline at when (an ISO 8601 instant)."""
    return read_clock(sorted_timeline(timeline), objective, zone, at(when), 75)


def test_a_clock_opened_before_christmas_runs_over_the_holiday_and_weekend() -> None:
    # Opened Thursday 2026-12-24 16:00 CET: 16:00-17:00 counts 1 h; Friday 25th is a holiday;
    # Saturday and Sunday are not office days; Monday 28th 09:00 adds the other 3 h.
    reading = clock_at([opened("2026-12-24T16:00:00+01:00")], when="2026-12-28T10:00:00+01:00")
    assert reading is not None
    assert reading.elapsed_us == 2 * HOUR_US
    assert reading.due_at_us == at("2026-12-28T12:00:00+01:00")


def test_the_at_risk_share_is_reached_at_three_quarters_of_the_target() -> None:
    # 75% of 4 h = 3 h: 1 h on Thursday, 2 h on Monday -> Monday 11:00 CET.
    reading = clock_at([opened("2026-12-24T16:00:00+01:00")], when="2026-12-28T11:30:00+01:00")
    assert reading is not None
    assert reading.at_risk_at_us == at("2026-12-28T11:00:00+01:00")
    assert reading.at_risk


def test_an_open_case_past_its_due_instant_is_breached_before_it_is_resolved() -> None:
    reading = clock_at([opened("2026-12-24T16:00:00+01:00")], when="2026-12-28T12:00:00+01:00")
    assert reading is not None
    assert reading.state.value == "breached"
    assert reading.breached_at_us == at("2026-12-28T12:00:00+01:00")


def test_a_clock_started_before_office_hours_counts_from_nine() -> None:
    # Opened Tuesday 2026-12-01 06:00 CET: the 4 h count from 09:00, due 13:00.
    reading = clock_at([opened("2026-12-01T06:00:00+01:00")], when="2026-12-01T08:00:00+01:00")
    assert reading is not None
    assert (reading.elapsed_us, reading.due_at_us) == (0, at("2026-12-01T13:00:00+01:00"))


def test_a_pause_awaiting_the_customer_stops_the_clock_across_the_night() -> None:
    # Tuesday 15:00-16:00 counts 1 h; paused 16:00 until Wednesday 10:00 (09:00-10:00 does not
    # count); 3 h more from 10:00: due Wednesday 13:00 CET.
    timeline = [
        opened("2026-12-01T15:00:00+01:00"),
        milestone(MilestoneKind.PAUSED, "2026-12-01T16:00:00+01:00", reason="awaiting_customer"),
        milestone(MilestoneKind.RESUMED, "2026-12-02T10:00:00+01:00"),
    ]
    reading = clock_at(timeline, when="2026-12-02T11:00:00+01:00")
    assert reading is not None
    assert reading.elapsed_us == 2 * HOUR_US
    assert reading.due_at_us == at("2026-12-02T13:00:00+01:00")


def test_a_pause_for_a_reason_the_objective_does_not_name_keeps_the_clock_running() -> None:
    # Awaiting a third party does not stop this clock: Tuesday 15:00-17:00 is 2 h, Wednesday
    # 09:00-11:00 the other 2: due Wednesday 11:00 CET.
    timeline = [
        opened("2026-12-01T15:00:00+01:00"),
        milestone(MilestoneKind.PAUSED, "2026-12-01T16:00:00+01:00", reason="awaiting_third_party"),
        milestone(MilestoneKind.RESUMED, "2026-12-02T10:00:00+01:00"),
    ]
    reading = clock_at(timeline, when="2026-12-02T10:30:00+01:00")
    assert reading is not None
    assert reading.due_at_us == at("2026-12-02T11:00:00+01:00")


def test_a_round_the_clock_target_crossing_the_spring_change_is_real_time() -> None:
    # 24 h from Saturday 2026-03-28 12:00 CET (11:00 UTC): clocks jump at 02:00 on Sunday, so
    # 24 real hours later the wall clock reads 13:00 CEST (11:00 UTC).
    objective = case_objective(hours=24)
    reading = clock_at(
        [opened("2026-03-28T12:00:00+01:00")], objective, when="2026-03-28T13:00:00+01:00"
    )
    assert reading is not None
    assert reading.due_at_us == at("2026-03-29T13:00:00+02:00")


def test_business_hours_across_the_spring_change_follow_the_wall_clock() -> None:
    # Every day 08:00-18:00 local. Opened Saturday 17:00 CET: 1 h to 18:00; Sunday counts
    # from 08:00 CEST (06:00 UTC); 1 h more: due 09:00 CEST.
    every_day = Schedule((1, 2, 3, 4, 5, 6, 7), 480, 1080)
    objective = case_objective(hours=2, schedule=every_day)
    reading = clock_at(
        [opened("2026-03-28T17:00:00+01:00")], objective, when="2026-03-28T17:30:00+01:00"
    )
    assert reading is not None
    assert reading.due_at_us == at("2026-03-29T09:00:00+02:00")


def test_a_first_response_clock_stops_at_the_first_response() -> None:
    objective = case_objective("response", hours=1, stop=ClockStop.FIRST_RESPONSE)
    timeline = [
        opened("2026-12-01T10:00:00+00:00"),
        milestone(MilestoneKind.FIRST_RESPONSE, "2026-12-01T10:40:00+00:00"),
    ]
    reading = clock_at(timeline, objective, when="2026-12-01T12:00:00+00:00", zone="UTC")
    assert reading is not None
    assert reading.state.value == "met"
    assert reading.elapsed_us == 40 * 60_000_000


def test_a_resolution_without_a_response_stops_the_response_clock() -> None:
    objective = case_objective("response", hours=1, stop=ClockStop.FIRST_RESPONSE)
    timeline = [
        opened("2026-12-01T10:00:00+00:00"),
        milestone(MilestoneKind.RESOLVED, "2026-12-01T10:30:00+00:00"),
    ]
    reading = clock_at(timeline, objective, when="2026-12-01T12:00:00+00:00", zone="UTC")
    assert reading is not None
    assert (reading.state.value, reading.stopped_at_us) == ("met", at("2026-12-01T10:30:00+00:00"))


def test_a_stop_exactly_at_the_due_instant_meets_the_target() -> None:
    objective = case_objective(hours=4)
    timeline = [
        opened("2026-12-01T00:00:00+00:00"),
        milestone(MilestoneKind.RESOLVED, "2026-12-01T04:00:00+00:00"),
    ]
    reading = clock_at(timeline, objective, when="2026-12-02T00:00:00+00:00", zone="UTC")
    assert reading is not None
    assert reading.state.value == "met"


def test_a_reopened_case_resumes_its_resolution_clock() -> None:
    # 2 h to the first resolution, reopened at 10:00: 2 h left, due 12:00 UTC.
    objective = case_objective(hours=4)
    timeline = [
        opened("2026-12-01T00:00:00+00:00"),
        milestone(MilestoneKind.RESOLVED, "2026-12-01T02:00:00+00:00"),
        milestone(MilestoneKind.REOPENED, "2026-12-01T10:00:00+00:00"),
    ]
    reading = clock_at(timeline, objective, when="2026-12-01T11:00:00+00:00", zone="UTC")
    assert reading is not None
    assert (reading.state.value, reading.elapsed_us) == ("running", 3 * HOUR_US)
    assert reading.due_at_us == at("2026-12-01T12:00:00+00:00")


def test_a_cancelled_case_stops_its_clock_for_good() -> None:
    objective = case_objective(hours=1)
    timeline = [
        opened("2026-12-01T00:00:00+00:00"),
        milestone(MilestoneKind.CANCELLED, "2026-12-01T00:30:00+00:00"),
    ]
    reading = clock_at(timeline, objective, when="2026-12-02T00:00:00+00:00", zone="UTC")
    assert reading is not None
    assert (reading.state.value, reading.judgement) == ("cancelled", None)
