"""Cases and their milestones: what happened to a ticket, and when, one event per milestone.

A case (ticket, incident, request) belongs to an agreement and has one stream of its own
(identifiers.case_stream), so no stream grows beyond one case. Each milestone is recorded as one
CaseMilestoneRecorded event carrying the business instant it happened (occurred_at_us); the
ledger's own warnings about a case's clocks go to a second stream of the case
(identifiers.case_warning_stream) as CaseClockWarned events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import NamedTuple

from eventsourcing.domain import CanMutateAggregate

from domain.identifiers import case_stream

MAX_CASE_BATCH = 10_000
# A ticket's life rarely takes more than a few dozen milestones; the cap bounds what reading a
# case, and re-judging it on each new milestone, can cost.
MAX_CASE_MILESTONES = 200


class MilestoneKind(Enum):
    """What happened to a case."""

    OPENED = "opened"
    FIRST_RESPONSE = "first_response"
    PAUSED = "paused"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    RELABELED = "relabeled"


class Milestone(NamedTuple):
    """One milestone of a case at a business instant (UTC µs).

    labels: the case's whole label set from this milestone on (opened and relabeled only).
    reason: why the case waits (paused only): one of objectives.PAUSE_REASONS.
    """

    case_id: str
    kind: MilestoneKind
    occurred_at_us: int
    milestone_id: str = ""
    labels: Mapping[str, str] | None = None
    reason: str = ""

    @property
    def identity(self) -> str:
        """The client id, or the kind and exact instant when the client gave none."""
        return self.milestone_id or f"{self.kind.value}@{self.occurred_at_us}"


@dataclass(frozen=True)
class CaseMilestoneRecorded(CanMutateAggregate[str]):
    """One milestone of one case, as the ledger recorded it."""

    originator_id: str
    originator_version: int
    timestamp: datetime
    agreement_id: str
    case_id: str
    kind: str
    occurred_at_us: int
    milestone_id: str
    labels: Mapping[str, str] | None
    reason: str
    late: bool = False

    def milestone(self) -> Milestone:
        """The milestone this event recorded."""
        return Milestone(
            self.case_id,
            MilestoneKind(self.kind),
            self.occurred_at_us,
            self.milestone_id,
            dict(self.labels) if self.labels is not None else None,
            self.reason,
        )


def milestone_events(
    agreement_id: str,
    milestones: Sequence[Milestone],
    heads: Mapping[str, int],
    recorded_at: datetime,
    late: Sequence[bool] | None = None,
) -> list[CaseMilestoneRecorded]:
    """One event per milestone, in order, each at its case stream's next version after heads
    (case id -> the stream's version so far); late flags the milestones of closed periods."""
    versions = dict(heads)
    events: list[CaseMilestoneRecorded] = []
    for index, m in enumerate(milestones):
        version = versions[m.case_id] = versions.get(m.case_id, 0) + 1
        events.append(
            CaseMilestoneRecorded(
                originator_id=case_stream(agreement_id, m.case_id),
                originator_version=version,
                timestamp=recorded_at,
                agreement_id=agreement_id,
                case_id=m.case_id,
                kind=m.kind.value,
                occurred_at_us=m.occurred_at_us,
                milestone_id=m.milestone_id,
                labels=dict(m.labels) if m.labels is not None else None,
                reason=m.reason,
                late=late[index] if late is not None else False,
            )
        )
    return events


class WarningKind(Enum):
    """What the ledger warns about a running clock."""

    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True)
class CaseClockWarned(CanMutateAggregate[str]):
    """The ledger saw a case's clock pass its at-risk share or its target (due_at_us) at
    reached_at_us; appended by the ledger itself, once per objective, kind and due instant."""

    originator_id: str
    originator_version: int
    timestamp: datetime
    agreement_id: str
    case_id: str
    objective_id: str
    warning: str
    reached_at_us: int
    due_at_us: int
    terms_version: int
