"""Validation of objective rules and credit policies: each broken rule names its field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credit_policies import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    StepsRule,
    policy_violations,
)
from domain.objectives import (
    Comparison,
    Indicator,
    ObjectiveRules,
    Schedule,
    Threshold,
    rules_violations,
)

TARGET = Decimal("99.5")


def fields_of(found: list[tuple[str, str]]) -> list[str]:
    return [field for field, _ in found]


def test_a_plain_ratio_objective_is_valid() -> None:
    assert rules_violations(ObjectiveRules(), TARGET, "o") == []


def test_a_threshold_objective_without_a_threshold_is_refused() -> None:
    rules = ObjectiveRules(indicator=Indicator.THRESHOLD)

    assert fields_of(rules_violations(rules, TARGET, "o")) == ["o.threshold"]


def test_a_threshold_on_a_ratio_objective_is_refused() -> None:
    rules = ObjectiveRules(threshold=Threshold(Comparison.LT, Decimal(1)))

    assert fields_of(rules_violations(rules, TARGET, "o")) == ["o.threshold"]


def test_a_count_limit_objective_needs_a_limit() -> None:
    rules = ObjectiveRules(indicator=Indicator.COUNT_LIMIT)

    assert fields_of(rules_violations(rules, Decimal(0), "o")) == ["o.limit"]


def test_a_count_limit_objective_takes_no_percentage_target() -> None:
    rules = ObjectiveRules(indicator=Indicator.COUNT_LIMIT, limit=2)

    assert fields_of(rules_violations(rules, TARGET, "o")) == ["o.target_percent"]


def test_a_cumulative_objective_needs_a_positive_target() -> None:
    rules = ObjectiveRules(indicator=Indicator.CUMULATIVE, cumulative_target=Decimal(0))

    assert fields_of(rules_violations(rules, Decimal(0), "o")) == ["o.cumulative_target"]


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        (Schedule((), 480, 1080), "o.schedule.days"),
        (Schedule((0, 8), 480, 1080), "o.schedule.days"),
        (Schedule((1, 1), 480, 1080), "o.schedule.days"),
        (Schedule((1,), 1080, 480), "o.schedule"),
        (Schedule((1,), 0, 1441), "o.schedule"),
        (Schedule((1,), 480, 1080, ("25.12.2026",)), "o.schedule.holidays[0]"),
    ],
)
def test_a_malformed_schedule_is_refused(schedule: Schedule, field: str) -> None:
    assert fields_of(rules_violations(ObjectiveRules(schedule=schedule), TARGET, "o")) == [field]


def test_an_off_schedule_target_needs_a_schedule() -> None:
    rules = ObjectiveRules(off_schedule_target_percent=Decimal(99))

    assert fields_of(rules_violations(rules, TARGET, "o")) == ["o.off_schedule_target_percent"]


def test_a_termination_right_needs_at_least_one_breach() -> None:
    rules = ObjectiveRules(termination_right_after=0)

    assert fields_of(rules_violations(rules, TARGET, "o")) == ["o.termination_right_after"]


def test_a_policy_without_bands_is_refused() -> None:
    assert fields_of(policy_violations(CreditPolicy(BandsRule(())), "p")) == ["p.bands"]


def test_a_band_credit_above_100_percent_is_refused() -> None:
    policy = CreditPolicy(BandsRule((CreditBand(Decimal(99), Decimal(101)),)))

    assert fields_of(policy_violations(policy, "p")) == ["p.bands[0].credit_percent"]


def test_steps_of_zero_points_are_refused() -> None:
    policy = CreditPolicy(StepsRule(Decimal(0), Decimal(5)))

    assert fields_of(policy_violations(policy, "p")) == ["p.steps.per_points"]


def test_a_count_rule_needs_exactly_one_of_percent_and_amount() -> None:
    both = CreditPolicy(CountRule(3, Decimal(10), Decimal(50)))
    neither = CreditPolicy(CountRule(3))

    assert fields_of(policy_violations(both, "p")) == ["p.count"]
    assert fields_of(policy_violations(neither, "p")) == ["p.count"]


def test_a_negative_minimum_and_a_cap_above_100_percent_are_refused() -> None:
    policy = CreditPolicy(
        BandsRule((CreditBand(Decimal(99), Decimal(10)),)),
        cap_percent=Decimal(150),
        minimum_amount=Decimal(-1),
    )

    assert fields_of(policy_violations(policy, "p")) == ["p.cap_percent", "p.minimum_amount"]


def test_a_bonus_threshold_of_zero_is_refused() -> None:
    policy = CreditPolicy(
        BandsRule((CreditBand(Decimal(99), Decimal(10)),)),
        bonus=BonusRule(Decimal(0), Decimal(5)),
    )

    assert fields_of(policy_violations(policy, "p")) == ["p.bonus.above_percent"]
