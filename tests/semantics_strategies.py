"""Hypothesis strategies for SLA semantics: objectives, readings, policies, fees, exclusions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from domain.credit_policies import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    CreditRule,
    StepsRule,
)
from domain.exclusions import Exclusion, ExclusionKind
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.money import Money
from domain.objectives import Comparison, Indicator, ObjectiveRules, Schedule, Threshold
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit

AGREEMENT_ID = "sla-props"
OBJECTIVE_ID = "objective"
SECOND = timedelta(seconds=1)
APR = datetime(2026, 4, 1, tzinfo=UTC)
JUN = datetime(2026, 6, 1, tzinfo=UTC)
SPAN_SECONDS = 61 * 86_400  # April and May
BUSINESS_HOURS = Schedule(days=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080)
PERCENT_KINDS = (Indicator.RATIO, Indicator.TIME_SLICES, Indicator.THRESHOLD)
BOUNDED_KINDS = (*PERCENT_KINDS, Indicator.COUNT_LIMIT)
ZONES = ("UTC", "Europe/Berlin")


def scaled(units: int, places: int) -> Decimal:
    """units / 10**places, exactly."""
    return Decimal(units).scaleb(-places)


def percents(low: int, high: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Percentages from low to high with up to places digits after the point."""
    return st.integers(low * 10**places, high * 10**places).map(lambda n: scaled(n, places))


@st.composite
def readings(draw: st.DrawFn, min_size: int = 1, max_size: int = 30) -> list[Measurement]:
    """Readings in April and May: counts with good <= total, and a sample of cents."""
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, SPAN_SECONDS - 1),
                st.integers(0, 50),
                st.integers(0, 50),
                st.integers(-100_000, 100_000),
            ),
            min_size=min_size,
            max_size=max_size,
        )
    )
    start = to_epoch_us(APR)
    return [
        Measurement(
            OBJECTIVE_ID,
            "",
            start + offset * 1_000_000,
            min(a, b),
            max(a, b),
            cents / 100,
        )
        for offset, a, b, cents in rows
    ]


@st.composite
def credit_rules(draw: st.DrawFn, kind: Indicator) -> CreditRule:
    """Bands, steps (with a threshold when the kind has no percentage target) or a count."""
    choice = draw(st.sampled_from(("bands", "steps", "count")))
    if choice == "bands":
        thresholds = draw(st.lists(percents(50, 100), min_size=1, max_size=4))
        return BandsRule(tuple(CreditBand(t, draw(percents(0, 100))) for t in thresholds))
    if choice == "steps":
        # A count limit has no percentage target, so its steps need their own threshold.
        below = draw(percents(80, 100)) if kind not in PERCENT_KINDS else None
        return StepsRule(draw(percents(1, 5)), draw(percents(0, 50)), below)
    if draw(st.booleans()):
        return CountRule(draw(st.integers(1, 20)), credit_percent=draw(percents(0, 100)))
    return CountRule(draw(st.integers(1, 20)), credit_amount=draw(percents(0, 100_000)))


@st.composite
def policies(draw: st.DrawFn, kind: Indicator) -> CreditPolicy:
    """A policy with a cap of 0-100% and sometimes a bonus."""
    bonus = draw(st.none() | st.builds(BonusRule, percents(90, 100), percents(0, 20)))
    return CreditPolicy(draw(credit_rules(kind)), cap_percent=draw(percents(0, 100)), bonus=bonus)


@st.composite
def objectives(draw: st.DrawFn, kinds: Sequence[Indicator], with_policy: bool = False) -> Objective:
    """A valid objective of one of kinds, monthly or weekly, maybe with business hours."""
    kind = draw(st.sampled_from(kinds))
    percent_kind = kind in PERCENT_KINDS
    # Mostly demanding targets, so that breaches and credits are common.
    target = draw(percents(90, 100) | percents(1, 100)) if percent_kind else Decimal(0)
    schedule = draw(st.sampled_from((None, None, None, BUSINESS_HOURS)))
    off_target = None
    if schedule is not None and percent_kind:
        off_target = draw(st.none() | percents(1, 100))
    rules = ObjectiveRules(
        indicator=kind,
        threshold=(
            Threshold(draw(st.sampled_from(list(Comparison))), draw(percents(-500, 500)))
            if kind is Indicator.THRESHOLD
            else None
        ),
        slice_seconds=draw(st.sampled_from((60, 3600, 86_400))),
        slice_good_percent=draw(percents(1, 100)),
        limit=draw(st.integers(0, 20)) if kind is Indicator.COUNT_LIMIT else None,
        cumulative_target=(draw(percents(1, 10_000)) if kind is Indicator.CUMULATIVE else None),
        schedule=schedule,
        off_schedule_target_percent=off_target,
        credit_policy=draw(policies(kind)) if with_policy else None,
    )
    period = draw(st.sampled_from((PeriodUnit.MONTH, PeriodUnit.MONTH, PeriodUnit.WEEK)))
    return Objective(OBJECTIVE_ID, "metric", target, period, rules=rules)


@st.composite
def fees(draw: st.DrawFn) -> Money:
    """A fee in a currency with 0, 2 or 3 digits after the point."""
    currency, digits = draw(st.sampled_from((("JPY", 0), ("USD", 2), ("BHD", 3))))
    return Money(scaled(draw(st.integers(0, 10**7 * 10**digits)), digits), currency)


@st.composite
def exclusions(draw: st.DrawFn) -> list[Exclusion]:
    """Up to three exclusions in April and May, for this objective or for all."""
    found = []
    for index in range(draw(st.integers(0, 3))):
        start = APR + draw(st.integers(0, SPAN_SECONDS - 1)) * SECOND
        length = draw(st.integers(1, 3 * 86_400)) * SECOND
        found.append(
            Exclusion(
                f"exclusion-{index}",
                start,
                start + length,
                draw(st.sampled_from(list(ExclusionKind))),
                "agreed",
                objective_ids=draw(st.sampled_from(((), (OBJECTIVE_ID,)))),
            )
        )
    return found


def terms(objective: Objective, zone: str, fee: Money | None = None) -> AgreementTerms:
    """Terms from the start of April 2026 in zone, with a monthly fee."""
    return AgreementTerms(
        provider=Party("acme-cloud"),
        customer=Party("globex"),
        kind=AgreementKind.CUSTOMER_BASED,
        services=("compute",),
        time_zone=zone,
        fee=Fee(fee or Money(Decimal("1000.00"), "USD"), PeriodUnit.MONTH),
        term_start=datetime(2026, 4, 1, tzinfo=ZoneInfo(zone)),
        term_end=None,
        objectives=(objective,),
    )


def cap_of(policy: CreditPolicy, fee: Money) -> Decimal:
    """The cap of policy on fee, rounded half-even to the currency's minor unit."""
    with localcontext() as context:
        context.prec = 120
        return Money(fee.amount * policy.cap_percent / 100, fee.currency).rounded().amount
