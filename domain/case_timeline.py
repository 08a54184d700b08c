"""A case's timeline: its milestones in business order, the rules that keep it sensible, and
the batch checks of RecordCaseEvents.

A timeline is every milestone of one case, sorted by occurred_at; milestones at the same
instant keep the order they were recorded in (a batch's own order after what was recorded
before). Rules, checked on the whole timeline a batch would leave (so a late milestone is
judged where it falls, not where it arrives):
- the first milestone is OPENED, and there is no second one;
- PAUSED only while open (not paused, resolved or cancelled), with a known reason;
- RESUMED only while paused; RESOLVED only while open or paused (a pause ends there);
- REOPENED only while resolved; CANCELLED only while open or paused;
- FIRST_RESPONSE at most once, and not after cancellation;
- RELABELED carries labels, and not after cancellation; only OPENED and RELABELED carry labels;
- a case holds at most MAX_CASE_MILESTONES milestones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.case_milestones import MAX_CASE_BATCH, MAX_CASE_MILESTONES, Milestone, MilestoneKind
from domain.errors import NotFoundError, Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import labels_problem
from domain.objectives import PAUSE_REASONS
from domain.resource_names import agreement_name

_LABELLED = (MilestoneKind.OPENED, MilestoneKind.RELABELED)
_OPEN, _PAUSED, _RESOLVED, _CANCELLED = "open", "paused", "resolved", "cancelled"
_ALLOWED_IN = {
    MilestoneKind.PAUSED: (_OPEN,),
    MilestoneKind.RESUMED: (_PAUSED,),
    MilestoneKind.RESOLVED: (_OPEN, _PAUSED),
    MilestoneKind.REOPENED: (_RESOLVED,),
    MilestoneKind.CANCELLED: (_OPEN, _PAUSED),
    MilestoneKind.FIRST_RESPONSE: (_OPEN, _PAUSED, _RESOLVED),
    MilestoneKind.RELABELED: (_OPEN, _PAUSED, _RESOLVED),
}
_STATE_AFTER = {
    MilestoneKind.OPENED: _OPEN,
    MilestoneKind.PAUSED: _PAUSED,
    MilestoneKind.RESUMED: _OPEN,
    MilestoneKind.RESOLVED: _RESOLVED,
    MilestoneKind.REOPENED: _OPEN,
    MilestoneKind.CANCELLED: _CANCELLED,
}


def sorted_timeline(milestones: Iterable[Milestone]) -> list[Milestone]:
    """Milestones in business order; ties keep their given (record) order."""
    return sorted(milestones, key=lambda m: m.occurred_at_us)


def case_state(timeline: Sequence[Milestone]) -> str:
    """The state a sorted timeline leaves the case in: open, paused, resolved or cancelled."""
    state = _OPEN
    for milestone in timeline:
        state = _STATE_AFTER.get(milestone.kind, state)
    return state


def timeline_problems(timeline: Sequence[Milestone]) -> list[tuple[int, str]]:
    """(index, description) of every milestone of a sorted timeline that breaks a rule."""
    problems: list[tuple[int, str]] = []
    state: str | None = None
    responded = False
    for index, m in enumerate(timeline):
        kind = m.kind
        if kind is MilestoneKind.OPENED:
            if state is not None:
                problems.append((index, "the case was already opened"))
            state = _OPEN
            continue
        if state is None:
            problems.append((index, "comes before the case was opened"))
            continue
        allowed = _ALLOWED_IN[kind]
        if state not in allowed:
            problems.append((index, f"a case that is {state} cannot be {kind.value}"))
            continue
        if kind is MilestoneKind.FIRST_RESPONSE:
            if responded:
                problems.append((index, "the case already had its first response"))
            responded = True
        state = _STATE_AFTER.get(kind, state)
    return problems


def milestone_problems(m: Milestone) -> list[tuple[str, str]]:
    """(field, description) of what is wrong with one milestone on its own."""
    found: list[tuple[str, str]] = []
    if not is_identifier(m.case_id):
        found.append(("case_id", IDENTIFIER_RULE))
    if m.milestone_id and not is_identifier(m.milestone_id):
        found.append(("milestone_id", f"empty or {IDENTIFIER_RULE}"))
    if m.kind in _LABELLED:
        if m.labels and (problem := labels_problem(m.labels)) is not None:
            found.append(("labels", problem))
        if m.kind is MilestoneKind.RELABELED and not m.labels:
            found.append(("labels", "a relabeled milestone carries the case's new labels"))
    elif m.labels:
        found.append(("labels", "only opened and relabeled milestones carry labels"))
    if m.kind is MilestoneKind.PAUSED:
        if m.reason not in PAUSE_REASONS:
            found.append(("reason", f"one of {', '.join(PAUSE_REASONS)}"))
    elif m.reason:
        found.append(("reason", "only paused milestones carry a reason"))
    return found


@dataclass(frozen=True)
class NewMilestones:
    """The milestones of a batch not recorded before, in batch order, by index in the batch."""

    indexes: list[int]
    milestones: list[Milestone]
    duplicate_count: int


def new_milestones(
    batch: Sequence[Milestone], recorded: Mapping[str, Sequence[Milestone]]
) -> NewMilestones:
    """Drop the milestones already recorded or repeated earlier in the batch: the same case and
    client milestone id, or the same case, kind and instant. The first one wins."""
    seen: dict[str, set[str]] = {}
    indexes: list[int] = []
    fresh: list[Milestone] = []
    for index, m in enumerate(batch):
        known = seen.get(m.case_id)
        if known is None:
            known = seen[m.case_id] = set()
            for earlier in recorded.get(m.case_id, ()):
                known.update(_identities(earlier))
        if any(identity in known for identity in _identities(m)):
            continue
        known.update(_identities(m))
        indexes.append(index)
        fresh.append(m)
    return NewMilestones(indexes, fresh, len(batch) - len(fresh))


def _identities(m: Milestone) -> tuple[str, ...]:
    at = f"{m.kind.value}@{m.occurred_at_us}"
    return (f"id:{m.milestone_id}", at) if m.milestone_id else (at,)


def validate_case_batch(
    agreement_exists: bool,
    agreement_id: str,
    batch: Sequence[Milestone],
    recorded: Mapping[str, Sequence[Milestone]],
    latest_us: int | None,
) -> NewMilestones:
    """The new milestones of a batch, or the whole batch refused with every bad one named:
    malformed, beyond latest_us (the recording instant plus the clock skew allowed), or leaving
    its case's timeline out of order. recorded holds each case's milestones in record order."""
    if not agreement_exists:
        raise NotFoundError(
            f"agreement {agreement_id} does not exist",
            resource_type="agreement",
            resource_name=agreement_name(agreement_id),
        )
    violations = Violations()
    if not batch:
        violations.add("milestones", "at least one milestone is required")
    if len(batch) > MAX_CASE_BATCH:
        violations.add("milestones", f"at most {MAX_CASE_BATCH} milestones per call")
    violations.raise_if_any()
    for index, m in enumerate(batch):
        for field, description in milestone_problems(m):
            violations.add(f"milestones[{index}].{field}", description)
        if latest_us is not None and m.occurred_at_us > latest_us:
            violations.add(
                f"milestones[{index}].occurred_at",
                "is in the future, beyond the clock skew the ledger allows",
            )
    fresh = new_milestones(batch, recorded)
    _timeline_violations(fresh, recorded, violations)
    violations.raise_if_any()
    return fresh


def _timeline_violations(
    fresh: NewMilestones, recorded: Mapping[str, Sequence[Milestone]], violations: Violations
) -> None:
    by_case: dict[str, list[tuple[int | None, Milestone]]] = {}
    for m in (m for ms in recorded.values() for m in ms):
        by_case.setdefault(m.case_id, []).append((None, m))
    touched = {m.case_id for m in fresh.milestones}
    for batch_index, m in zip(fresh.indexes, fresh.milestones, strict=True):
        by_case.setdefault(m.case_id, []).append((batch_index, m))
    for case_id in sorted(touched):
        entries = sorted(by_case[case_id], key=lambda entry: entry[1].occurred_at_us)
        first_new = min(i for i, _ in entries if i is not None)
        if len(entries) > MAX_CASE_MILESTONES:
            violations.add(
                f"milestones[{first_new}]",
                f"a case holds at most {MAX_CASE_MILESTONES} milestones; case {case_id!r} "
                f"would hold {len(entries)}",
            )
            continue
        for index, description in timeline_problems([m for _, m in entries]):
            at = entries[index][0]
            if at is None:
                description += " (a recorded milestone, after this one)"
                at = first_new
            violations.add(f"milestones[{at}]", description)
