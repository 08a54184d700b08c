"""A statement as plain data: what the ledger held about an agreement (or a customer's
agreements) for one period, read at one digest of the log.

Figures are the ledger's own, shown as it shows them (at most 6 decimal places, half-even);
they are kept as Decimal (None where the ledger shows none) so the renderers and the charts
compute nothing of their own. Every instant is timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


@dataclass(frozen=True)
class LedgerDigest:
    """The head of the log's hash chain the statement reflects, and when it was recorded."""

    position: int
    sha256_hex: str
    recorded_at: datetime | None  # None for an empty log

    @property
    def text(self) -> str:
        """POSITION:SHA256 as `sla-ledger verify --expect` takes it."""
        return f"{self.position}:{self.sha256_hex}"


@dataclass(frozen=True)
class Party:
    """One side of an agreement."""

    party_id: str
    display_name: str


@dataclass(frozen=True)
class AgreementSummary:
    """The agreement as it stood at the statement's as_of, as known at its known_at."""

    agreement_id: str
    kind: str  # "customer-based", "service-based" or "internal"
    provider: Party
    customer: Party | None  # None for a service SLA (its customers subscribe)
    status: str  # "active" or "terminated"
    terms_version: int
    terms_effective_from: datetime | None
    signed_at: datetime | None
    time_zone: str
    fee: Money | None


@dataclass(frozen=True)
class Track:
    """The figures of one track of an objective in the period."""

    track: str  # "scheduled" or "off_schedule"
    indicator: str
    status: str  # "met", "at risk", "breached" or "no data"
    attained: Decimal | None
    target: Decimal | None
    good: Decimal | None
    total: Decimal | None
    bad: Decimal | None
    readings: int
    excluded: int
    budget_remaining_percent: Decimal | None
    target_line: Decimal | None


@dataclass(frozen=True)
class BurnUpPoint:
    """One point of a burn-up chart: the end of one local day of the period."""

    day: date  # the local day whose end the point stands at
    at: datetime  # that end (the as_of for the last point of a period in progress)
    actual: Decimal | None  # cumulative achieved (cumulative) or attainment so far (others)
    target: Decimal | None  # the target line at that instant


@dataclass(frozen=True)
class BurnUp:
    """One track's series through the period: actual against the target line, one point a day."""

    objective_id: str
    period_label: str
    track: str
    indicator: str
    unit: str  # what actual and target count: "total" (cumulative) or "percent" and so on
    points: tuple[BurnUpPoint, ...]


@dataclass(frozen=True)
class PeriodAttainment:
    """One closed period's final attainment of one track, against its target."""

    period_label: str
    window_start: datetime
    track: str
    status: str
    attained: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class ObjectiveStatement:
    """One objective in the statement's period: its result, its burn-up, its past periods."""

    objective_id: str
    description: str
    indicator: str
    period_label: str
    window_start: datetime | None
    window_end: datetime | None
    terms_version: int
    status: str
    closed: bool  # the figures are the closed period's final result
    recalculations: int
    tracks: tuple[Track, ...]
    burn_up: tuple[BurnUp, ...] = ()
    history: tuple[PeriodAttainment, ...] = ()  # closed periods up to this one, oldest first
    ended: bool = False  # the window had ended at the statement's as_of (closed or not)

    @property
    def state(self) -> str:
        """Where the period stands: closed, ended but not closed yet, or in progress."""
        if self.closed:
            recalculated = (
                f", recalculated {self.recalculations} times" if self.recalculations else ""
            )
            return f"closed{recalculated}"
        return "ended, not closed yet" if self.ended else "in progress"


@dataclass(frozen=True)
class Breach:
    """A breach recorded for a closed period."""

    objective_id: str
    period_label: str
    track: str
    attained: Decimal | None
    target: Decimal | None
    terms_version: int
    recorded_at: datetime
    retracted: bool


@dataclass(frozen=True)
class Credit:
    """One credit or bonus line of the period, with its credit's state."""

    objective_id: str
    period_label: str
    kind: str  # "credit_issued", "credit_adjusted", "bonus_earned", "bonus_adjusted", ...
    amount: Money
    policy_line: str
    recorded_at: datetime
    state: str  # "eligible", "claimed", "approved", ...; "" for bonuses


@dataclass(frozen=True)
class Claim:
    """One step of a credit's money lifecycle: claimed, decided, forfeited or settled."""

    objective_id: str
    period_label: str
    step: str  # "claimed", "decided", "forfeited" or "settled"
    amount: Money
    detail: str  # the claim reference, the decision's reason, the settlement's method
    recorded_at: datetime


@dataclass(frozen=True)
class Exclusion:
    """An exclusion touching the period, with how late it was recorded."""

    exclusion_id: str
    kind: str
    start: datetime
    end: datetime
    reason: str
    recorded_at: datetime
    record_lag: timedelta  # recorded_at - end; negative when recorded before it ended
    standing: str


@dataclass(frozen=True)
class AgreementStatement:
    """Everything the statement says about one agreement in its period."""

    agreement: AgreementSummary
    customer_id: str  # whose statement: the customer, or the service SLA's subscriber
    objectives: tuple[ObjectiveStatement, ...]
    breaches: tuple[Breach, ...] = ()
    credits: tuple[Credit, ...] = ()
    claims: tuple[Claim, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    credit_totals: tuple[Money, ...] = ()  # net credits of the period's lines, per currency
    bonus_totals: tuple[Money, ...] = ()


@dataclass(frozen=True)
class Statement:
    """A statement of one agreement, or of a customer's agreements, for one period."""

    title: str
    period_label: str
    as_of: datetime  # business instant: the period's end, or earlier for a period in progress
    known_at: datetime  # record instant every read was made at
    digest: LedgerDigest
    agreements: tuple[AgreementStatement, ...] = field(default_factory=tuple)


class StatementError(Exception):
    """The ledger cannot give the statement asked for; the message says why."""
