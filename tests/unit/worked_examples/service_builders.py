"""Builders for the worked examples of service SLAs: tiers, subscriptions and the service's log.

A ServiceHistory is a service SLA's log under construction: the service signed with its tiers,
customers' subscriptions, measurements recorded once for the service, exclusions, amendments.
close() closes every subscriber's due periods from its own view of the log (as the domain
defines it, domain/subscriber_views.py); report() asks the replay oracle for one subscriber.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from domain.agreement import Agreement
from domain.agreement_history import fold_history
from domain.compliance_report import ComplianceReport
from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.exclusions import Exclusion
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.money import Money
from domain.objectives import ObjectiveRules
from domain.oracle import replay_subscriber_compliance
from domain.period_closing import close_due_periods
from domain.period_results import PeriodEvent
from domain.subscriber_views import subscriber_history
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Party, PeriodUnit, Tier
from tests.unit.worked_examples.builders import APR, DAY, SECOND, objective

SERVICE_ID = "storage-sla"
# Basic: 99.0%; below 99.0 -> 10%, below 95.0 -> 25% of the fee.
BASIC_POLICY = CreditPolicy(
    BandsRule((CreditBand(Decimal("99.0"), Decimal(10)), CreditBand(Decimal("95.0"), Decimal(25))))
)
# Premium: 99.9%; below 99.9 -> 10%, below 99.0 -> 25%, below 95.0 -> 100% of the fee.
PREMIUM_POLICY = CreditPolicy(
    BandsRule(
        (
            CreditBand(Decimal("99.9"), Decimal(10)),
            CreditBand(Decimal("99.0"), Decimal(25)),
            CreditBand(Decimal("95.0"), Decimal(100)),
        )
    )
)


def eur(amount: str) -> Money:
    """Euros from a decimal string."""
    return Money(Decimal(amount), "EUR")


def monthly(amount: str) -> Fee:
    """A monthly fee in euros."""
    return Fee(eur(amount), PeriodUnit.MONTH)


def tier(tier_id: str, target: str, policy: CreditPolicy) -> Tier:
    """A tier with one monthly availability objective at target and its own credit policy."""
    return Tier(
        tier_id, tier_id.title(), (objective(target=target, rules=ObjectiveRules()),), policy
    )


BASIC = tier("basic", "99.0", BASIC_POLICY)
PREMIUM = tier("premium", "99.9", PREMIUM_POLICY)


def service_terms(*tiers: Tier, start: datetime = APR) -> AgreementTerms:
    """The public SLA of ACME Storage (UTC, from April 2026) with these tiers."""
    return AgreementTerms(
        provider=Party("acme-storage", "ACME Storage"),
        customer=Party(""),
        kind=AgreementKind.SERVICE_BASED,
        services=("object-storage",),
        time_zone="UTC",
        fee=monthly("0.00"),
        term_start=start,
        term_end=None,
        tiers=tiers or (BASIC, PREMIUM),
    )


class ServiceHistory:
    """A service SLA's log under construction: events appended with increasing record times."""

    def __init__(self, terms: AgreementTerms | None = None) -> None:
        terms = terms or service_terms()
        signed_at = terms.term_start - DAY
        self.clock = signed_at
        self.service = Agreement.sign(SERVICE_ID, terms, signed_at, recorded_at=signed_at)
        self.events: list[object] = list(self.service.collect_events())
        self.subscriptions: dict[str, Subscription] = {}
        self.subscription_events: dict[str, list[Subscription.Event]] = {}
        self._heads: dict[str, int] = {}

    def _tick(self, earliest: datetime | None = None) -> datetime:
        at = self.clock + SECOND
        if earliest is not None and earliest > at:
            at = earliest
        self.clock = at
        return at

    def _collect(self, subscription: Subscription) -> None:
        new = [e for e in subscription.collect_events() if isinstance(e, Subscription.Event)]
        self.subscription_events.setdefault(subscription.customer_id, []).extend(new)
        self.events.extend(new)

    def subscribe(
        self,
        customer_id: str,
        tier_id: str,
        fee: Fee,
        start: datetime = APR,
        end: datetime | None = None,
    ) -> None:
        """Subscribe a customer."""
        subscription = Subscription.subscribe(
            self.service, Party(customer_id), tier_id, fee, start, end, self._tick()
        )
        self.subscriptions[customer_id] = subscription
        self._collect(subscription)

    def change_tier(
        self, customer_id: str, tier_id: str, fee: Fee, effective_from: datetime
    ) -> None:
        """Move a subscriber to another tier and fee."""
        subscription = self.subscriptions[customer_id]
        subscription.change_tier(
            self.service, tier_id, fee, effective_from, "upgrade", self._tick()
        )
        self._collect(subscription)

    def end(self, customer_id: str, end_at: datetime) -> None:
        """End a subscription."""
        subscription = self.subscriptions[customer_id]
        subscription.end_subscription(end_at, "cancelled", self._tick())
        self._collect(subscription)

    def measure(self, readings: Sequence[Measurement]) -> None:
        """Record the service's readings once (just after the last one was observed)."""
        recorded_at = self._tick(max(r.observed_at for r in readings) + SECOND)
        groups = group_by_stream(SERVICE_ID, readings)
        new = measured_events(SERVICE_ID, groups, self._heads, recorded_at)
        for event in new:
            self._heads[event.originator_id] = event.originator_version
        self.events.extend(new)

    def exclude(self, exclusion: Exclusion) -> None:
        """Record an exclusion of the service (or of one subscriber, by its customer_id)."""
        assert self.service.record_exclusion(exclusion, self._tick())
        self.events.extend(self.service.collect_events())

    def amend(self, terms: AgreementTerms, effective_from: datetime) -> None:
        """Amend the service's SLA (not retroactively)."""
        self.service.amend(terms, effective_from, False, "new price list", self._tick())
        self.events.extend(self.service.collect_events())

    def close(self, until: datetime) -> dict[str, list[PeriodEvent]]:
        """Close every subscriber's due periods at until; the new events per customer."""
        recorded_at = self._tick(until)
        closed: dict[str, list[PeriodEvent]] = {}
        for customer_id, subscription in self.subscriptions.items():
            own = [
                e
                for e in self.events
                if not isinstance(e, PeriodEvent) or e.customer_id == customer_id
            ]
            history = fold_history(own)
            assert history is not None
            view = subscriber_history(history, subscription)
            closed[customer_id] = close_due_periods(view, until, recorded_at)
        for events in closed.values():
            self.events.extend(events)
        return closed

    def report(self, customer_id: str, as_of: datetime) -> ComplianceReport:
        """The oracle's answer for one subscriber at as_of, as known now."""
        return replay_subscriber_compliance(
            self.events, self.subscription_events[customer_id], as_of, self.clock
        )
