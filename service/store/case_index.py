"""The case index: one row per case, written in the transaction that appends its milestones.

A row says when the case opened, the latest instant of its timeline, and whether the timeline
(sorted by occurred_at, ties in record order) ends resolved or cancelled, with the record time
of the milestone that settled it. It lets a query find an agreement's case streams without
scanning the log. The candidate rule for a window [start, cutoff) as known at K: a case can be
judged in the window only if it opened before cutoff, and not (settled, with everything before
start, by a milestone recorded by K). Such a case was decided before the window under every
known_at at or after K (domain/case_clocks.py: a stopped clock is judged by its last stop).

Unlike the ledger's other tables the index is not append-only: each append replaces the rows of
the cases it touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.case_milestones import Milestone, MilestoneKind

CASE_INDEX_TABLE = "case_index"
_SETTLING = (MilestoneKind.RESOLVED, MilestoneKind.CANCELLED)


@dataclass(frozen=True)
class CaseRow:
    """One case of the index (instants in UTC µs)."""

    agreement_id: str
    case_id: str
    opened_at_us: int
    last_at_us: int  # the largest occurred_at of its milestones
    settled: bool  # the sorted timeline ends resolved or cancelled
    settled_recorded_at_us: int | None  # record time of the milestone that settled it

    def as_values(self) -> tuple[str, str, int, int, bool, int | None]:
        """The row's column values, in table order."""
        return (
            self.agreement_id,
            self.case_id,
            self.opened_at_us,
            self.last_at_us,
            self.settled,
            self.settled_recorded_at_us,
        )

    def may_be_judged(self, start_us: int, cutoff_us: int, known_at_us: int) -> bool:
        """The candidate rule (the index's queries apply the same in SQL)."""
        return self.opened_at_us < cutoff_us and not (
            self.settled
            and self.last_at_us < start_us
            and self.settled_recorded_at_us is not None
            and self.settled_recorded_at_us <= known_at_us
        )


def case_row(agreement_id: str, case_id: str, recorded: Sequence[tuple[Milestone, int]]) -> CaseRow:
    """The index row of a case from its milestones in record order, each with the time it was
    recorded (UTC µs). The timeline must hold its OPENED milestone."""
    ordered = sorted(recorded, key=lambda pair: pair[0].occurred_at_us)
    opened = next(m.occurred_at_us for m, _ in ordered if m.kind is MilestoneKind.OPENED)
    last, last_recorded = ordered[-1]
    settled = last.kind in _SETTLING
    return CaseRow(
        agreement_id,
        case_id,
        opened,
        last.occurred_at_us,
        settled,
        last_recorded if settled else None,
    )


def row_of(values: Sequence[object]) -> CaseRow:
    """The row a select of the table's columns returned."""
    agreement_id, case_id, opened, last, settled, settled_recorded = values
    return CaseRow(
        str(agreement_id),
        str(case_id),
        int(opened),  # type: ignore[call-overload]
        int(last),  # type: ignore[call-overload]
        bool(settled),
        None if settled_recorded is None else int(settled_recorded),  # type: ignore[call-overload]
    )
