"""What the typed methods return: frozen dataclasses of Decimal, datetime and enum names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sla_ledger_client._generated.sla.ledger.v1 import (
    compliance_pb2,
    discovery_pb2,
    events_pb2,
    ledger_service_pb2,
    terms_pb2,
)
from sla_ledger_client.values import Money


@dataclass(frozen=True)
class Agreement:
    """An agreement as the ledger knows it: status ``ACTIVE`` or ``TERMINATED``."""

    agreement_id: str
    status: str
    version: int
    terms_version: int
    terms_effective_from: datetime | None
    signed_at: datetime | None
    terminated_at: datetime | None
    terms: terms_pb2.AgreementTerms


@dataclass(frozen=True)
class Signed:
    """A signing: the agreement as signed and the log position of its event."""

    agreement: Agreement
    log_position: int


@dataclass(frozen=True)
class Changed:
    """An amendment or termination: the agreement's version after it and its log position."""

    version: int
    terms_version: int
    log_position: int


@dataclass(frozen=True)
class Recorded:
    """What a record_readings or record_case_milestones call added, over all its batches."""

    recorded: int
    duplicates: int
    late: int
    log_position: int
    calls: int


@dataclass(frozen=True)
class Closed:
    """What close_period appended: periods closed, events, and whether more are due."""

    closed_count: int
    appended_count: int
    log_position: int
    more_due: bool
    events: tuple[events_pb2.LedgerEvent, ...]


@dataclass(frozen=True)
class TrackStanding:
    """One track of an objective: figures as Decimal (None without data), status name."""

    track: str
    indicator: str
    final: bool
    attained: Decimal | None
    target: Decimal | None
    good: Decimal | None
    total: Decimal | None
    bad: Decimal | None
    readings: int
    excluded: int
    budget_remaining_percent: Decimal | None
    status: str


@dataclass(frozen=True)
class ObjectiveStanding:
    """An objective's standing in the period holding as_of: ``MET``, ``AT_RISK``, ..."""

    objective_id: str
    period_label: str
    terms_version: int
    window_start: datetime | None
    window_end: datetime | None
    status: str
    tracks: tuple[TrackStanding, ...]
    closed_status: str | None


@dataclass(frozen=True)
class BreachLine:
    """A breach of a closed period."""

    objective_id: str
    period_label: str
    track: str
    attained: Decimal | None
    target: Decimal | None
    recorded_at: datetime | None
    retracted: bool


@dataclass(frozen=True)
class CreditLine:
    """A credit or bonus of a closed period: kind ``CREDIT_ISSUED``, ``BONUS_EARNED``, ..."""

    objective_id: str
    period_label: str
    kind: str
    amount: Money
    policy_line: str
    recorded_at: datetime | None


@dataclass(frozen=True)
class Compliance:
    """GetCompliance's report; ``report`` keeps the message for what is not copied here."""

    agreement_id: str
    as_of: datetime | None
    known_at: datetime | None
    terms_version: int
    objectives: tuple[ObjectiveStanding, ...]
    breaches: tuple[BreachLine, ...]
    credits: tuple[CreditLine, ...]
    credit_totals: tuple[Money, ...]
    bonus_totals: tuple[Money, ...]
    log_position: int
    report: compliance_pb2.ComplianceReport


@dataclass(frozen=True)
class Credit:
    """One line of the credit ledger (ListCredits): state ``APPROVED``, ``SETTLED``, ..."""

    position: int
    agreement_id: str
    customer_id: str
    provider_id: str
    objective_id: str
    period_label: str
    window_start: datetime | None
    kind: str
    state: str
    amount: Money
    policy_line: str
    recorded_at: datetime | None
    record: ledger_service_pb2.CreditRecord


@dataclass(frozen=True)
class AgreementSummary:
    """An agreement of a ListAgreements page."""

    agreement_id: str
    kind: str
    status: str
    provider_id: str
    customer_id: str
    services: tuple[str, ...]
    terms_version: int
    term_start: datetime | None
    term_end: datetime | None
    objective_ids: tuple[str, ...]
    summary: discovery_pb2.AgreementSummary


@dataclass(frozen=True)
class Digest:
    """The head of the ledger's hash chain."""

    log_position: int
    sha256_hex: str
    recorded_at: datetime | None
