"""Property: a subscriber of a service SLA is judged exactly as a customer-based agreement with
its terms would be.

The equivalent agreement is signed by the subscriber for its first tier's objectives and policy
and its fee, from its start to its planned end; each tier change is an amendment effective at
the change (not retroactive); the subscription's end is a termination; the readings and
exclusions are those the subscriber's view counts. Closing every due period of both gives the
same figures, breaches, credits and bonuses, period by period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory
from domain.credit_policies import BonusRule, CreditPolicy
from domain.exclusions import Exclusion, ExclusionKind
from domain.measurements import Measurement
from domain.period_closing import close_due_periods
from domain.period_results import PeriodClosed, PeriodEvent
from domain.subscriber_views import CUSTOMER_LABEL, subscriber_history, tier_terms
from domain.subscriptions import Subscription
from domain.terms import AgreementTerms, Fee, Party, PeriodUnit, Tier
from tests.unit.worked_examples.builders import APR, objective, reading
from tests.unit.worked_examples.service_builders import (
    BASIC_POLICY,
    PREMIUM_POLICY,
    eur,
    service_terms,
)

SIGNED = APR - timedelta(days=1)
UNTIL = datetime(2026, 7, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    """One generated subscriber: its tiers over time, fee, dates, readings and exclusions."""

    weekly: bool
    start: datetime
    planned_end: datetime | None
    ended_at: datetime | None
    changes: tuple[tuple[datetime, str, Decimal], ...]
    fee: Decimal
    readings: tuple[Measurement, ...]
    exclusions: tuple[Exclusion, ...]


def _instant(hours: int) -> datetime:
    return APR + hours * HOUR


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A random subscriber of a two-tier service between April and June 2026."""
    start_h = draw(st.integers(0, 24 * 60))
    planned = draw(st.one_of(st.none(), st.integers(start_h + 1, 24 * 91)))
    last = planned if planned is not None else 24 * 91
    ended = draw(st.one_of(st.none(), st.integers(start_h + 1, last)))
    change_hours = sorted(
        set(draw(st.lists(st.integers(start_h + 1, min(last, ended or last)), max_size=3)))
    )
    changes = tuple(
        (
            _instant(h),
            draw(st.sampled_from(("basic", "premium"))),
            draw(st.sampled_from((Decimal("100.00"), Decimal("250.50")))),
        )
        for h in change_hours
    )
    readings = []
    for day in range(91):
        good = draw(st.integers(980, 1000))
        customer = draw(st.sampled_from(("", "", "", "globex", "initech")))
        at = APR + timedelta(days=day, hours=12)
        plain = reading(at, good, 1000)
        readings.append(plain._replace(labels={CUSTOMER_LABEL: customer}) if customer else plain)
    exclusions = tuple(
        Exclusion(
            exclusion_id=f"x{index}",
            start=_instant(h),
            end=_instant(h + length),
            kind=ExclusionKind.CUSTOMER_CAUSED,
            reason="customer side",
            customer_id=customer,
        )
        for index, (h, length, customer) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, 24 * 90),
                        st.integers(1, 48),
                        st.sampled_from(("", "globex", "initech")),
                    ),
                    max_size=3,
                )
            )
        )
    )
    return Case(
        weekly=draw(st.booleans()),
        start=_instant(start_h),
        planned_end=_instant(planned) if planned is not None else None,
        ended_at=_instant(ended) if ended is not None else None,
        changes=changes,
        fee=draw(st.sampled_from((Decimal("100.00"), Decimal("999.99"), Decimal("0.01")))),
        readings=tuple(readings),
        exclusions=exclusions,
    )


def _service_terms(weekly: bool) -> AgreementTerms:
    """Basic at 99.0% and premium at 99.9% (with a bonus above 99.95%), weekly or monthly."""
    period = PeriodUnit.WEEK if weekly else PeriodUnit.MONTH
    bonus = CreditPolicy(PREMIUM_POLICY.rule, bonus=BonusRule(Decimal("99.95"), Decimal(5)))
    basic = Tier("basic", "Basic", (objective(target="99.0", period=period),), BASIC_POLICY)
    premium = Tier("premium", "Premium", (objective(target="99.9", period=period),), bonus)
    return service_terms(basic, premium)


def _subscriber_events(case: Case) -> list[PeriodEvent]:
    terms = _service_terms(case.weekly)
    service = Agreement.sign("svc", terms, SIGNED, recorded_at=SIGNED)
    for exclusion in case.exclusions:
        service.record_exclusion(exclusion, SIGNED)
    subscription = Subscription.subscribe(
        service,
        Party("globex"),
        "basic",
        Fee(eur(str(case.fee)), PeriodUnit.MONTH),
        case.start,
        case.planned_end,
        SIGNED,
    )
    for at, tier_id, fee in case.changes:
        in_force = subscription.terms_at(at)
        if (in_force.tier_id, in_force.fee.amount.amount) != (tier_id, fee):
            new_fee = Fee(eur(str(fee)), PeriodUnit.MONTH)
            subscription.change_tier(service, tier_id, new_fee, at, "", SIGNED)
    if case.ended_at is not None:
        subscription.end_subscription(case.ended_at, "", SIGNED)
    history = AgreementHistory(
        service,
        exclusions=list(service.exclusions),
        readings={"availability": list(case.readings)},
    )
    return close_due_periods(subscriber_history(history, subscription), UNTIL, UNTIL)


def _equivalent_events(case: Case) -> list[PeriodEvent]:
    service_version = _service_terms(case.weekly)

    def terms_for(tier_id: str, fee: Decimal) -> AgreementTerms:
        return tier_terms(
            service_version,
            tier_id,
            Party("globex"),
            Fee(eur(str(fee)), PeriodUnit.MONTH),
            case.start,
            case.planned_end,
        )

    agreement = Agreement.sign("svc", terms_for("basic", case.fee), SIGNED, recorded_at=SIGNED)
    current = ("basic", case.fee)
    for at, tier_id, fee in case.changes:
        if (tier_id, fee) != current:
            agreement.amend(terms_for(tier_id, fee), at, False, "", SIGNED)
            current = (tier_id, fee)
    if case.ended_at is not None:
        agreement.terminate(case.ended_at, "", SIGNED)
    visible = [
        r for r in case.readings if (r.labels or {}).get(CUSTOMER_LABEL, "globex") == "globex"
    ]
    exclusions = [e for e in case.exclusions if e.customer_id in ("", "globex")]
    history = AgreementHistory(agreement, exclusions=exclusions, readings={"availability": visible})
    return close_due_periods(history, UNTIL, UNTIL)


def _comparable(event: PeriodEvent) -> dict[str, object]:
    """The event's facts, without the stream, subscriber and terms numbering."""
    facts = dict(vars(event))
    for name in ("originator_id", "customer_id", "tier_id", "terms_version", "actor"):
        facts.pop(name, None)
    facts["type"] = type(event).__name__
    return facts


@settings(max_examples=60, deadline=None)
@given(cases())
def test_a_subscriber_is_judged_as_the_equivalent_customer_based_agreement(case: Case) -> None:
    ours = _subscriber_events(case)
    theirs = _equivalent_events(case)

    assert [_comparable(e) for e in ours] == [_comparable(e) for e in theirs]
    assert all(e.customer_id == "globex" for e in ours)
    assert all(e.tier_id in ("basic", "premium") for e in ours if isinstance(e, PeriodClosed))
