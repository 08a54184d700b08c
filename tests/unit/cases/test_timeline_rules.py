"""RecordCaseEvents' batch checks: bad timelines are refused whole, repeats are dropped."""

from __future__ import annotations

import pytest

from domain.case_milestones import MAX_CASE_MILESTONES, Milestone, MilestoneKind
from domain.case_timeline import validate_case_batch
from domain.errors import InvalidArgumentError, NotFoundError
from tests.unit.cases.timelines import at, milestone, opened

AGREEMENT = "sla-cases"


def refusals(
    batch: list[Milestone], recorded: dict[str, list[Milestone]] | None = None
) -> dict[str, str]:
    with pytest.raises(InvalidArgumentError) as refused:
        validate_case_batch(True, AGREEMENT, batch, recorded or {}, None)
    return {v.field: v.description for v in refused.value.violations}


def test_a_resolution_before_the_opening_is_refused() -> None:
    found = refusals(
        [
            opened("2026-12-01T10:00:00+00:00"),
            milestone(MilestoneKind.RESOLVED, "2026-12-01T09:00:00+00:00"),
        ]
    )
    assert found == {"milestones[1]": "comes before the case was opened"}


def test_a_resume_without_a_pause_is_refused() -> None:
    found = refusals(
        [
            opened("2026-12-01T10:00:00+00:00"),
            milestone(MilestoneKind.RESUMED, "2026-12-01T11:00:00+00:00"),
        ]
    )
    assert found == {"milestones[1]": "a case that is open cannot be resumed"}


def test_a_second_first_response_is_refused() -> None:
    found = refusals(
        [
            opened("2026-12-01T10:00:00+00:00"),
            milestone(MilestoneKind.FIRST_RESPONSE, "2026-12-01T10:05:00+00:00"),
            milestone(MilestoneKind.FIRST_RESPONSE, "2026-12-01T10:10:00+00:00"),
        ]
    )
    assert found == {"milestones[2]": "the case already had its first response"}


def test_milestones_of_an_unknown_case_are_refused() -> None:
    found = refusals([milestone(MilestoneKind.RESOLVED, "2026-12-01T10:00:00+00:00", "nobody")])
    assert found == {"milestones[0]": "comes before the case was opened"}


def test_every_bad_milestone_of_a_batch_is_named() -> None:
    found = refusals(
        [
            opened("2026-12-01T10:00:00+00:00", "A"),
            milestone(MilestoneKind.REOPENED, "2026-12-01T11:00:00+00:00", "A"),
            milestone(MilestoneKind.PAUSED, "2026-12-01T11:00:00+00:00", "B", reason="asleep"),
        ]
    )
    assert set(found) == {"milestones[1]", "milestones[2]", "milestones[2].reason"}


def test_a_late_milestone_that_breaks_the_recorded_timeline_is_blamed() -> None:
    recorded = {
        "T-1": [
            opened("2026-12-01T10:00:00+00:00"),
            milestone(MilestoneKind.RESOLVED, "2026-12-01T12:00:00+00:00"),
            milestone(MilestoneKind.REOPENED, "2026-12-01T13:00:00+00:00"),
        ]
    }
    # A cancellation at 11:00 makes the recorded 12:00 resolution impossible.
    found = refusals([milestone(MilestoneKind.CANCELLED, "2026-12-01T11:00:00+00:00")], recorded)
    assert list(found) == ["milestones[0]"]
    assert "a recorded milestone" in found["milestones[0]"]


def test_a_milestone_beyond_the_clock_skew_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        validate_case_batch(
            True,
            AGREEMENT,
            [opened("2026-12-01T10:00:00+00:00")],
            {},
            at("2026-12-01T09:00:00+00:00"),
        )
    assert [v.field for v in refused.value.violations] == ["milestones[0].occurred_at"]


def test_a_milestone_of_an_unknown_agreement_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        validate_case_batch(False, AGREEMENT, [opened("2026-12-01T10:00:00+00:00")], {}, None)


def test_the_same_kind_at_the_same_instant_is_a_duplicate() -> None:
    first = opened("2026-12-01T10:00:00+00:00")
    fresh = validate_case_batch(True, AGREEMENT, [first], {"T-1": [first]}, None)
    assert (fresh.milestones, fresh.duplicate_count) == ([], 1)


def test_the_same_client_milestone_id_is_a_duplicate_whatever_it_says() -> None:
    first = milestone(MilestoneKind.OPENED, "2026-12-01T10:00:00+00:00", milestone_id="m-1")
    again = milestone(MilestoneKind.OPENED, "2026-12-01T10:30:00+00:00", milestone_id="m-1")
    fresh = validate_case_batch(True, AGREEMENT, [again], {"T-1": [first]}, None)
    assert fresh.duplicate_count == 1


def test_labels_on_a_pause_are_refused() -> None:
    found = refusals(
        [
            opened("2026-12-01T10:00:00+00:00"),
            milestone(
                MilestoneKind.PAUSED,
                "2026-12-01T11:00:00+00:00",
                labels={"priority": "P1"},
                reason="awaiting_customer",
            ),
        ]
    )
    assert found == {"milestones[1].labels": "only opened and relabeled milestones carry labels"}


def test_a_case_beyond_its_milestone_cap_is_refused() -> None:
    base = at("2026-12-01T10:00:00+00:00")
    recorded = [opened("2026-12-01T10:00:00+00:00")]
    for n in range(1, MAX_CASE_MILESTONES, 2):
        recorded.append(Milestone("T-1", MilestoneKind.PAUSED, base + n, reason="other"))
        recorded.append(Milestone("T-1", MilestoneKind.RESUMED, base + n + 1))
    one_more = Milestone("T-1", MilestoneKind.CANCELLED, base + MAX_CASE_MILESTONES + 5)
    found = refusals([one_more], {"T-1": recorded[:MAX_CASE_MILESTONES]})
    assert list(found) == ["milestones[0]"]
    assert "at most" in found["milestones[0]"]
