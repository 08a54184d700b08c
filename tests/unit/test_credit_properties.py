"""Properties of credits over random fees, currencies, attainments and band or step policies."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credit_policies import BandsRule, BonusRule, CreditBand, CreditPolicy, StepsRule
from domain.credits import CreditDecision, Outcome, bonus_for, credit_for
from domain.money import MINOR_UNITS, Money

# No example database: the tests read and write nothing outside memory.
PROPERTY = settings(database=None, max_examples=200)


def scaled(units: int, places: int) -> Decimal:
    """units / 10**places as an exact Decimal with exactly places digits after the point."""
    return Decimal(units).scaleb(-places)


def percents(low: int, high: int, places: int = 3) -> st.SearchStrategy[Decimal]:
    """Percentages from low to high with up to places digits after the point."""
    return st.integers(low * 10**places, high * 10**places).map(lambda n: scaled(n, places))


@st.composite
def fees(draw: st.DrawFn) -> Money:
    """A fee of 0 to 10**9 in a random ISO 4217 currency, with that currency's digits."""
    currency = draw(st.sampled_from(sorted(MINOR_UNITS)))
    digits = MINOR_UNITS[currency]
    return Money(scaled(draw(st.integers(0, 10**9 * 10**digits)), digits), currency)


@st.composite
def bands_rules(draw: st.DrawFn) -> BandsRule:
    """Bands in random order where a lower threshold never earns a smaller credit."""
    thresholds = sorted(draw(st.lists(percents(50, 100), min_size=1, max_size=5)))
    size = len(thresholds)
    credits = sorted(
        draw(st.lists(percents(0, 100, 2), min_size=size, max_size=size)), reverse=True
    )
    bands = [CreditBand(t, c) for t, c in zip(thresholds, credits, strict=True)]
    return BandsRule(tuple(draw(st.permutations(bands))))


steps_rules = st.builds(
    StepsRule,
    per_points=percents(0, 5).filter(lambda points: points > 0),
    credit_percent=percents(0, 50, 2),
    below_percent=st.one_of(st.none(), percents(80, 100)),
)


@st.composite
def policies(draw: st.DrawFn) -> CreditPolicy:
    """A bands or steps policy with a random cap and a minimum of 0 to 100 (whole units)."""
    rule = draw(st.one_of(bands_rules(), steps_rules))
    minimum = Decimal(draw(st.one_of(st.just(0), st.integers(0, 100))))
    return CreditPolicy(rule, cap_percent=draw(percents(0, 150, 2)), minimum_amount=minimum)


def judged(attainment: Decimal, target: Decimal) -> Outcome:
    """The outcome of attaining attainment against target: breached when below it."""
    return Outcome(attainment, target, bad_events=0, breached=attainment < target)


def value_of(decision: CreditDecision | None) -> Decimal:
    """The amount of a decision, zero when none is issued."""
    return Decimal(0) if decision is None else decision.amount.amount


def cap_of(policy: CreditPolicy, fee: Money) -> Decimal:
    """The cap of policy on fee, rounded half-even to the currency's minor unit."""
    with localcontext() as context:
        context.prec = 60
        return Money(fee.amount * policy.cap_percent / 100, fee.currency).rounded().amount


@PROPERTY
@given(policies(), fees(), percents(0, 100), percents(80, 100))
def test_a_credit_is_never_negative(
    policy: CreditPolicy, fee: Money, attainment: Decimal, target: Decimal
) -> None:
    assert value_of(credit_for(policy, judged(attainment, target), fee)) >= 0


@PROPERTY
@given(policies(), fees(), percents(0, 100), percents(80, 100))
def test_a_credit_never_exceeds_the_rounded_cap(
    policy: CreditPolicy, fee: Money, attainment: Decimal, target: Decimal
) -> None:
    assert value_of(credit_for(policy, judged(attainment, target), fee)) <= cap_of(policy, fee)


@PROPERTY
@given(policies(), fees(), percents(0, 100), percents(80, 100))
def test_a_credit_has_exactly_the_currency_minor_unit_digits(
    policy: CreditPolicy, fee: Money, attainment: Decimal, target: Decimal
) -> None:
    decision = credit_for(policy, judged(attainment, target), fee)

    if decision is not None:
        amount = decision.amount.amount
        assert decision.amount.currency == fee.currency
        assert amount == amount.quantize(Decimal(1).scaleb(-fee.minor_unit))
        assert amount.as_tuple().exponent == -fee.minor_unit


@PROPERTY
@given(policies(), fees(), percents(0, 100), percents(0, 100), percents(80, 100))
def test_lower_attainment_never_earns_a_smaller_credit(
    policy: CreditPolicy, fee: Money, one: Decimal, other: Decimal, target: Decimal
) -> None:
    lower, higher = sorted((one, other))

    at_lower = value_of(credit_for(policy, judged(lower, target), fee))
    at_higher = value_of(credit_for(policy, judged(higher, target), fee))

    assert at_lower >= at_higher


@PROPERTY
@given(fees(), percents(0, 100), percents(80, 100), percents(0, 100), percents(0, 20, 2))
def test_a_bonus_has_exactly_the_currency_minor_unit_digits_and_is_never_negative(
    fee: Money, attainment: Decimal, target: Decimal, above: Decimal, bonus_percent: Decimal
) -> None:
    policy = CreditPolicy(BandsRule(()), bonus=BonusRule(above, bonus_percent))

    decision = bonus_for(policy, judged(attainment, target), fee)

    if decision is not None:
        amount = decision.amount.amount
        assert amount > 0
        assert amount.as_tuple().exponent == -fee.minor_unit
