"""Translation of objective rules and credit policies (exclusions and results: their modules)."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_policies import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    StepsRule,
)
from domain.errors import Violations
from domain.objectives import Comparison, Indicator, ObjectiveRules, Schedule, Threshold
from service.api.mapping.cases import case_clock_from_proto, case_clock_into_proto
from service.api.mapping.scalars import decimal_field, required_decimal, text
from service.generated.sla.ledger.v1 import terms_pb2

INDICATOR_FROM_PROTO = {
    terms_pb2.INDICATOR_UNSPECIFIED: Indicator.RATIO,
    terms_pb2.INDICATOR_RATIO: Indicator.RATIO,
    terms_pb2.INDICATOR_TIME_SLICES: Indicator.TIME_SLICES,
    terms_pb2.INDICATOR_THRESHOLD: Indicator.THRESHOLD,
    terms_pb2.INDICATOR_COUNT_LIMIT: Indicator.COUNT_LIMIT,
    terms_pb2.INDICATOR_CUMULATIVE: Indicator.CUMULATIVE,
}
INDICATOR_TO_PROTO = {
    Indicator.RATIO: terms_pb2.INDICATOR_RATIO,
    Indicator.TIME_SLICES: terms_pb2.INDICATOR_TIME_SLICES,
    Indicator.THRESHOLD: terms_pb2.INDICATOR_THRESHOLD,
    Indicator.COUNT_LIMIT: terms_pb2.INDICATOR_COUNT_LIMIT,
    Indicator.CUMULATIVE: terms_pb2.INDICATOR_CUMULATIVE,
}
COMPARISON_FROM_PROTO = {
    terms_pb2.COMPARISON_LT: Comparison.LT,
    terms_pb2.COMPARISON_LTE: Comparison.LTE,
    terms_pb2.COMPARISON_GTE: Comparison.GTE,
    terms_pb2.COMPARISON_GT: Comparison.GT,
}
COMPARISON_TO_PROTO = {v: k for k, v in COMPARISON_FROM_PROTO.items()}
DEFAULT_RULES = ObjectiveRules()


def rules_from_proto(o: terms_pb2.Objective, path: str, violations: Violations) -> ObjectiveRules:
    """The domain rules of an objective message."""
    indicator = INDICATOR_FROM_PROTO.get(o.indicator)
    if indicator is None:
        violations.add(f"{path}.indicator", "must be a known value")
        indicator = _indicator_the_fields_suggest(o)
    threshold = None
    if o.HasField("threshold"):
        comparison = COMPARISON_FROM_PROTO.get(o.threshold.comparison)
        if comparison is None:
            violations.add(f"{path}.threshold.comparison", "must be set to a known value")
            comparison = Comparison.LTE
        threshold = Threshold(
            comparison, required_decimal(o.threshold.value, f"{path}.threshold.value", violations)
        )
    schedule = None
    if o.HasField("schedule"):
        schedule = Schedule(
            tuple(o.schedule.days),
            o.schedule.start_minute,
            o.schedule.end_minute,
            tuple(o.schedule.holidays),
        )
    return ObjectiveRules(
        indicator=indicator,
        threshold=threshold,
        slice_seconds=o.slice_seconds or 60,
        slice_good_percent=decimal_field(
            o.slice_good_percent, f"{path}.slice_good_percent", violations, Decimal(100)
        )
        or Decimal(100),
        limit=o.limit if o.HasField("limit") else None,
        cumulative_target=decimal_field(
            o.cumulative_target, f"{path}.cumulative_target", violations
        ),
        label_scope=dict(o.label_scope),
        schedule=schedule,
        off_schedule_target_percent=decimal_field(
            o.off_schedule_target_percent, f"{path}.off_schedule_target_percent", violations
        ),
        credit_policy=(
            policy_from_proto(o.credit_policy, f"{path}.credit_policy", violations)
            if o.HasField("credit_policy")
            else None
        ),
        termination_right_after=o.termination_right_after or None,
        case_clock=(
            case_clock_from_proto(o.case_clock, f"{path}.case_clock", violations)
            if o.HasField("case_clock")
            else None
        ),
    )


def _indicator_the_fields_suggest(o: terms_pb2.Objective) -> Indicator:
    """A placeholder for an unknown indicator under which the rest of the objective is judged,
    so that a refusal does not also name fields that only an indicator's rules make wrong."""
    if o.HasField("threshold"):
        return Indicator.THRESHOLD
    if o.HasField("limit"):
        return Indicator.COUNT_LIMIT
    if o.cumulative_target:
        return Indicator.CUMULATIVE
    return Indicator.RATIO


def policy_from_proto(p: terms_pb2.CreditPolicy, path: str, violations: Violations) -> CreditPolicy:
    """The domain credit policy of a message."""
    which = p.WhichOneof("rule")
    rule: BandsRule | StepsRule | CountRule
    if which == "steps":
        rule = StepsRule(
            required_decimal(p.steps.per_points, f"{path}.steps.per_points", violations),
            required_decimal(p.steps.credit_percent, f"{path}.steps.credit_percent", violations),
            decimal_field(p.steps.below_percent, f"{path}.steps.below_percent", violations),
        )
    elif which == "count":
        rule = CountRule(
            p.count.at_least,
            decimal_field(p.count.credit_percent, f"{path}.count.credit_percent", violations),
            decimal_field(p.count.credit_amount, f"{path}.count.credit_amount", violations),
        )
    else:
        if which is None:
            violations.add(path, "a credit policy needs bands, steps or count")
        rule = BandsRule(
            tuple(
                CreditBand(
                    required_decimal(
                        b.below_percent, f"{path}.bands[{i}].below_percent", violations
                    ),
                    required_decimal(
                        b.credit_percent, f"{path}.bands[{i}].credit_percent", violations
                    ),
                )
                for i, b in enumerate(p.bands.bands)
            )
        )
    bonus = None
    if p.HasField("bonus"):
        bonus = BonusRule(
            required_decimal(p.bonus.above_percent, f"{path}.bonus.above_percent", violations),
            required_decimal(p.bonus.bonus_percent, f"{path}.bonus.bonus_percent", violations),
        )
    return CreditPolicy(
        rule=rule,
        cap_percent=decimal_field(p.cap_percent, f"{path}.cap_percent", violations, Decimal(100))
        or Decimal(0),
        minimum_amount=decimal_field(
            p.minimum_amount, f"{path}.minimum_amount", violations, Decimal(0)
        )
        or Decimal(0),
        bonus=bonus,
    )


def rules_into_proto(rules: ObjectiveRules, o: terms_pb2.Objective) -> None:
    """Write an objective's rules into its message; defaults stay unset, as the API documents."""
    if rules.indicator is not Indicator.RATIO:
        o.indicator = INDICATOR_TO_PROTO[rules.indicator]
    if rules.threshold is not None:
        o.threshold.comparison = COMPARISON_TO_PROTO[rules.threshold.comparison]
        o.threshold.value = str(rules.threshold.value)
    if rules.slice_seconds != DEFAULT_RULES.slice_seconds:
        o.slice_seconds = rules.slice_seconds
    if rules.slice_good_percent != DEFAULT_RULES.slice_good_percent:
        o.slice_good_percent = str(rules.slice_good_percent)
    if rules.limit is not None:
        o.limit = rules.limit
    o.cumulative_target = text(rules.cumulative_target)
    o.label_scope.update(rules.label_scope)
    if rules.schedule is not None:
        o.schedule.days.extend(rules.schedule.days)
        o.schedule.start_minute = rules.schedule.start_minute
        o.schedule.end_minute = rules.schedule.end_minute
        o.schedule.holidays.extend(rules.schedule.holidays)
    o.off_schedule_target_percent = text(rules.off_schedule_target_percent)
    if rules.credit_policy is not None:
        policy_into_proto(rules.credit_policy, o.credit_policy)
    o.termination_right_after = rules.termination_right_after or 0
    if rules.case_clock is not None:
        case_clock_into_proto(rules.case_clock, o.case_clock)


def policy_into_proto(policy: CreditPolicy, p: terms_pb2.CreditPolicy) -> None:
    """Write a credit policy into its message."""
    rule = policy.rule
    if isinstance(rule, BandsRule):
        p.bands.SetInParent()
        for band in rule.bands:
            p.bands.bands.add(
                below_percent=str(band.below_percent), credit_percent=str(band.credit_percent)
            )
    elif isinstance(rule, StepsRule):
        p.steps.per_points = str(rule.per_points)
        p.steps.credit_percent = str(rule.credit_percent)
        p.steps.below_percent = text(rule.below_percent)
    else:
        p.count.at_least = rule.at_least
        p.count.credit_percent = text(rule.credit_percent)
        p.count.credit_amount = text(rule.credit_amount)
    if policy.cap_percent != Decimal(100):
        p.cap_percent = str(policy.cap_percent)
    if policy.minimum_amount:
        p.minimum_amount = str(policy.minimum_amount)
    if policy.bonus is not None:
        p.bonus.above_percent = str(policy.bonus.above_percent)
        p.bonus.bonus_percent = str(policy.bonus.bonus_percent)
