"""Events of an objective-period: closed, breached, credited, and compensations after late data.

Each objective-period has its own stream, agreement:<id>/objective:<objective>/period:<label>
(a service SLA's subscriber: agreement:<id>/customer:<customer>/objective:...), whose first event
is PeriodClosed. The store's unique (stream, version) makes a second close of
the same period impossible, whatever the retries or concurrent closers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from decimal import Decimal

from eventsourcing.domain import CanMutateAggregate

from domain.compliance import Status, TrackResult
from domain.money import Money


@dataclass(frozen=True)
class TrackFigures:
    """The stored figures of one track of one objective-period."""

    track: str
    attained: Decimal | None
    target: Decimal
    good: Decimal
    total: Decimal
    bad: Decimal
    readings: int
    excluded: int
    budget_remaining_percent: Decimal | None
    status: str

    @classmethod
    def of(cls, result: TrackResult) -> TrackFigures:
        """The figures of an evaluation."""
        return cls(
            track=result.track.value,
            attained=result.attained,
            target=result.target,
            good=result.good,
            total=result.total,
            bad=result.bad,
            readings=result.readings,
            excluded=result.excluded,
            budget_remaining_percent=result.budget_remaining_percent,
            status=result.status.value,
        )

    @property
    def breached(self) -> bool:
        """Whether this track missed its target."""
        return self.status == Status.BREACHED.value


def overall_status(figures: Sequence[TrackFigures]) -> str:
    """Breached if any track is, no data if every track has none, else met."""
    statuses = {f.status for f in figures}
    if Status.BREACHED.value in statuses:
        return Status.BREACHED.value
    if statuses == {Status.NO_DATA.value}:
        return Status.NO_DATA.value
    return Status.MET.value


@dataclass(frozen=True)
class PeriodEvent(CanMutateAggregate[str]):
    """Base of the events of an objective-period stream; timestamp is the record time."""

    originator_id: str
    originator_version: int
    timestamp: datetime
    agreement_id: str
    objective_id: str
    period_label: str
    _: KW_ONLY
    # The subscriber whose period this is, for a service SLA; "" for an agreement's own period.
    customer_id: str = ""


@dataclass(frozen=True)
class PeriodClosed(PeriodEvent):
    """The period was evaluated, once, with the terms that governed it."""

    window_start: datetime
    window_end: datetime
    terms_version: int
    figures: Sequence[TrackFigures]
    status: str
    period_fee: Money
    _: KW_ONLY
    tier_id: str = ""  # the subscriber's tier that judged the period, for a service SLA
    # Set when the governing terms have a claim rule: the credit must be claimed before the
    # deadline, for at least the minimum (domain/claims.py); None: approved when issued.
    claim_deadline: datetime | None = None
    claim_minimum: Money | None = None


@dataclass(frozen=True)
class BreachDetected(PeriodEvent):
    """A track of the period missed its target."""

    track: str
    attained: Decimal | None
    target: Decimal
    terms_version: int


@dataclass(frozen=True)
class BreachRetracted(PeriodEvent):
    """A breach detected earlier no longer holds after recalculation."""

    track: str
    reason: str


@dataclass(frozen=True)
class CreditIssued(PeriodEvent):
    """The provider owes the customer this credit for the period."""

    amount: Money
    percent_of_fee: Decimal
    policy_line: str
    capped: bool
    period_fee: Money


@dataclass(frozen=True)
class CreditAdjusted(PeriodEvent):
    """A recalculation changed the credit owed for the period from before to after."""

    before: Money
    after: Money
    delta: Money
    policy_line: str


@dataclass(frozen=True)
class BonusEarned(PeriodEvent):
    """The customer owes the provider this bonus for exceeding the target in the period."""

    amount: Money
    percent_of_fee: Decimal
    policy_line: str
    period_fee: Money


@dataclass(frozen=True)
class BonusAdjusted(PeriodEvent):
    """A recalculation changed the bonus for the period from before to after."""

    before: Money
    after: Money
    delta: Money
    policy_line: str


@dataclass(frozen=True)
class PeriodRecalculated(PeriodEvent):
    """The period was re-evaluated with the data known now; figures before and after."""

    before: Sequence[TrackFigures]
    after: Sequence[TrackFigures]
    status_before: str
    status_after: str


@dataclass(frozen=True)
class TerminationRightGranted(PeriodEvent):
    """K consecutive breached periods of the objective give the customer the right to terminate."""

    consecutive_breaches: int
    first_period_label: str
