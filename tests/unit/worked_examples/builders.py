"""Builders for the worked examples: terms, readings and an agreement's log.

Each worked example builds an agreement's log as a list of events (signed, amended, terminated,
exclusions, measurements), folds it, closes or recalculates periods and asks the replay oracle,
then checks the figures against a computation done by hand in the comment above the assertions.
No expected figure is obtained from the code under test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory, fold_history
from domain.case_milestones import Milestone, milestone_events
from domain.compliance_report import ComplianceReport
from domain.credit_policies import BandsRule, BonusRule, CreditBand, CreditPolicy, StepsRule
from domain.exclusions import Exclusion
from domain.identifiers import case_stream
from domain.instants import from_epoch_us, to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.oracle import replay_compliance
from domain.period_closing import close_due_periods, recalculate_period
from domain.period_results import PeriodEvent
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

AGREEMENT_ID = "sla-worked"
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUL = datetime(2026, 7, 1, tzinfo=UTC)

# The shape of the large cloud providers' SLAs: below 99.9 -> 10%, below 99.0 -> 25%,
# below 95.0 -> 100% of the monthly fee.
CLOUD_BANDS = BandsRule(
    (
        CreditBand(Decimal("99.9"), Decimal(10)),
        CreditBand(Decimal("99.0"), Decimal(25)),
        CreditBand(Decimal("95.0"), Decimal(100)),
    )
)
CLOUD_POLICY = CreditPolicy(CLOUD_BANDS)
# 5% of the fee for each started 0.5 points below the target (99.5 here).
HALF_POINT_STEPS = CreditPolicy(StepsRule(per_points=Decimal("0.5"), credit_percent=Decimal(5)))

E = TypeVar("E")


# --- builders ------------------------------------------------------------------------------


def usd(amount: str) -> Money:
    """US dollars from a decimal string."""
    return Money(Decimal(amount), "USD")


def eur(amount: str) -> Money:
    """Euros from a decimal string."""
    return Money(Decimal(amount), "EUR")


def objective(
    objective_id: str = "availability",
    *,
    target: str = "99.9",
    period: PeriodUnit = PeriodUnit.MONTH,
    rules: ObjectiveRules | None = None,
) -> Objective:
    """An objective measuring a metric named like it."""
    return Objective(
        objective_id=objective_id,
        metric=objective_id,
        target_percent=Decimal(target),
        period=period,
        rules=rules or ObjectiveRules(),
    )


def terms(
    *objectives: Objective,
    fee: Money | None = None,
    fee_period: PeriodUnit = PeriodUnit.MONTH,
    zone: str = "UTC",
    start: datetime = APR,
    kind: AgreementKind = AgreementKind.CUSTOMER_BASED,
) -> AgreementTerms:
    """Terms between ACME Cloud and Globex (USD 1,000.00 a month unless told otherwise)."""
    return AgreementTerms(
        provider=Party("acme-cloud", "ACME Cloud"),
        customer=Party("globex", "Globex Corporation"),
        kind=kind,
        services=("compute",),
        time_zone=zone,
        fee=Fee(fee or usd("1000.00"), fee_period),
        term_start=start,
        term_end=None,
        objectives=objectives,
    )


def reading(at: datetime, good: int, total: int, objective_id: str = "availability") -> Measurement:
    """One reading of good/total observed at."""
    return Measurement(objective_id, "", to_epoch_us(at), good, total)


def daily(
    first: datetime, days: int, good: int, total: int, objective_id: str = "availability"
) -> list[Measurement]:
    """One reading of good/total at 12:00 UTC on each of days days from first."""
    noon = first + timedelta(hours=12)
    return [reading(noon + n * DAY, good, total, objective_id) for n in range(days)]


def dec(*values: int) -> tuple[Decimal, ...]:
    """Whole numbers as Decimals, to compare with the figures."""
    return tuple(Decimal(value) for value in values)


def of_type(events: Iterable[object], cls: type[E]) -> list[E]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, cls)]


def only(events: Iterable[object], cls: type[E]) -> E:
    """The one event of that type."""
    found = of_type(events, cls)
    assert len(found) == 1, f"expected one {cls.__name__}, got {found!r}"
    return found[0]


class History:
    """An agreement's log under construction: events appended with increasing record times."""

    def __init__(self, agreement_terms: AgreementTerms, recorded_at: datetime | None = None):
        signed_at = agreement_terms.term_start - DAY
        self.clock = recorded_at or signed_at
        self.agreement = Agreement.sign(
            AGREEMENT_ID, agreement_terms, signed_at, recorded_at=self.clock
        )
        self.events: list[object] = list(self.agreement.collect_events())
        self._heads: dict[str, int] = {}

    def _record_time(self, at: datetime | None, earliest: datetime | None = None) -> datetime:
        """at, or the later of earliest and one second after the last record time."""
        if at is None:
            at = self.clock + SECOND
            if earliest is not None and earliest > at:
                at = earliest
        assert at > self.clock, "record times must increase along the log"
        self.clock = at
        return at

    def _collect(self) -> None:
        self.events.extend(self.agreement.collect_events())

    def measure(self, readings: Sequence[Measurement], at: datetime | None = None) -> datetime:
        """Record readings (by default just after the last one was observed); the record time."""
        latest = max(r.observed_at for r in readings)
        recorded_at = self._record_time(at, latest + SECOND)
        groups = group_by_stream(AGREEMENT_ID, readings)
        new = measured_events(AGREEMENT_ID, groups, self._heads, recorded_at)
        for event in new:
            self._heads[event.originator_id] = event.originator_version
        self.events.extend(new)
        return recorded_at

    def record_case(self, milestones: Sequence[Milestone], at: datetime | None = None) -> datetime:
        """Record case milestones (by default just after the last one occurred); the record
        time."""
        latest = from_epoch_us(max(m.occurred_at_us for m in milestones))
        recorded_at = self._record_time(at, latest + SECOND)
        heads = {
            m.case_id: self._heads.get(case_stream(AGREEMENT_ID, m.case_id), 0) for m in milestones
        }
        new = milestone_events(AGREEMENT_ID, milestones, heads, recorded_at)
        for event in new:
            self._heads[event.originator_id] = event.originator_version
        self.events.extend(new)
        return recorded_at

    def amend(
        self,
        new_terms: AgreementTerms,
        effective_from: datetime,
        *,
        retroactive: bool,
        at: datetime | None = None,
    ) -> None:
        """Amend the agreement."""
        recorded_at = self._record_time(at)
        self.agreement.amend(new_terms, effective_from, retroactive, "renegotiated", recorded_at)
        self._collect()

    def terminate(self, effective_at: datetime, at: datetime | None = None) -> None:
        """Terminate the agreement."""
        self.agreement.terminate(effective_at, "customer left", self._record_time(at))
        self._collect()

    def exclude(self, exclusion: Exclusion, at: datetime | None = None) -> None:
        """Record an exclusion."""
        assert self.agreement.record_exclusion(exclusion, self._record_time(at))
        self._collect()

    def folded(self) -> AgreementHistory:
        """The history of everything recorded so far."""
        history = fold_history(self.events)
        assert history is not None
        return history

    def close(self, until: datetime, at: datetime | None = None) -> list[PeriodEvent]:
        """Close every due period (recorded at until unless told otherwise); the new events."""
        recorded_at = self._record_time(at, until)
        new = close_due_periods(self.folded(), until, recorded_at)
        self.events.extend(new)
        return new

    def recalculate(
        self, objective_id: str, label: str, at: datetime | None = None
    ) -> list[PeriodEvent]:
        """Recalculate one closed period; the new events."""
        new = recalculate_period(self.folded(), objective_id, label, self._record_time(at))
        self.events.extend(new)
        return new

    def report(self, as_of: datetime, known_at: datetime | None = None) -> ComplianceReport:
        """The oracle's answer at as_of, as known at known_at (default: everything so far)."""
        return replay_compliance(self.events, as_of, known_at or self.clock)


def availability_history(policy: CreditPolicy | None = CLOUD_POLICY) -> History:
    """A 99.9% monthly RATIO objective from April 2026 (UTC), USD 1,000.00 a month."""
    return History(terms(objective(rules=ObjectiveRules(credit_policy=policy))))


BONUS_POLICY = CreditPolicy(
    CLOUD_BANDS, bonus=BonusRule(above_percent=Decimal("99.99"), bonus_percent=Decimal(5))
)
