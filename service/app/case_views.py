"""What the application answers about cases: the reply of RecordCaseEvents, a case's timeline
with its clocks (GetCase), and a page of an agreement's cases (ListCases)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.case_milestones import Milestone
from domain.case_readings import ClockReading


@dataclass(frozen=True)
class RecordedCaseEvents:
    """What one RecordCaseEvents call recorded."""

    new: int
    duplicates: int
    late: int
    log_position: int


@dataclass(frozen=True)
class RecordedMilestone:
    """One milestone of a case's timeline, with when the ledger recorded it."""

    milestone: Milestone
    recorded_at: datetime
    late: bool
    log_position: int


@dataclass(frozen=True)
class CaseView:
    """A case at (as_of, known_at): its timeline and the clock of each objective judging it."""

    agreement_id: str
    case_id: str
    as_of: datetime
    known_at: datetime
    terms_version: int
    state: str  # open, paused, resolved or cancelled
    labels: Mapping[str, str]
    opened_at: datetime
    milestones: tuple[RecordedMilestone, ...]  # business order, up to as_of
    clocks: tuple[ClockReading, ...]  # in-scope case objectives of the terms in force at as_of
    log_position: int


@dataclass(frozen=True)
class CaseSummary:
    """One case of a ListCases page, as the ledger knows it now."""

    case_id: str
    state: str
    labels: Mapping[str, str]
    opened_at: datetime
    clocks: tuple[ClockReading, ...]


@dataclass(frozen=True)
class CasePage:
    """A page of an agreement's cases and the token of the next one ("" after the last)."""

    cases: tuple[CaseSummary, ...]
    next_page_token: str


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a ListCases call asks for; every field set narrows it (all of them hold).

    Instants are UTC µs, ranges [from, until). breached and at_risk need objective_id or look
    at every case objective; a case is at risk when a clock of it is running or paused past the
    at-risk share of its target and not breached (ClockReading.at_risk).
    """

    state: str = ""  # open, paused, resolved, cancelled
    objective_id: str = ""  # only cases this case objective judges (its label scope)
    breached: bool = False
    at_risk: bool = False
    labels: Mapping[str, str] | None = None  # every one of these labels, as the case has now
    opened_from_us: int | None = None
    opened_until_us: int | None = None
    due_from_us: int | None = None  # a clock's due instant in range
    due_until_us: int | None = None
