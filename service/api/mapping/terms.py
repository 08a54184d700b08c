"""Agreement terms and standings: the messages of what was signed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.agreement import AgreementStanding
from domain.credit_policies import CreditPolicy
from domain.errors import Violations
from domain.money import Money
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier
from service.api.mapping.claims import claim_rule_from_proto, claim_rule_into_proto
from service.api.mapping.credit_caps import cap_from_proto, cap_into_proto
from service.api.mapping.exclusion_standing import (
    exclusion_rules_from_proto,
    exclusion_rules_into_proto,
)
from service.api.mapping.rules import (
    policy_from_proto,
    policy_into_proto,
    rules_from_proto,
    rules_into_proto,
)
from service.api.mapping.scalars import (
    PLACEHOLDER_INSTANT,
    decimal_field,
    enum_from_proto,
    instant_from_proto,
    instant_to_proto,
    required_decimal,
)
from service.generated.sla.ledger.v1 import terms_pb2

KIND_FROM_PROTO = {
    terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED: AgreementKind.CUSTOMER_BASED,
    terms_pb2.AGREEMENT_KIND_SERVICE_BASED: AgreementKind.SERVICE_BASED,
    terms_pb2.AGREEMENT_KIND_INTERNAL: AgreementKind.INTERNAL,
}


KIND_TO_PROTO = {kind: number for number, kind in KIND_FROM_PROTO.items()}


PERIOD_FROM_PROTO = {
    terms_pb2.PERIOD_UNIT_DAY: PeriodUnit.DAY,
    terms_pb2.PERIOD_UNIT_WEEK: PeriodUnit.WEEK,
    terms_pb2.PERIOD_UNIT_MONTH: PeriodUnit.MONTH,
    terms_pb2.PERIOD_UNIT_QUARTER: PeriodUnit.QUARTER,
}


PERIOD_TO_PROTO = {period: number for number, period in PERIOD_FROM_PROTO.items()}


def terms_from_proto(
    message: terms_pb2.AgreementTerms, path: str, violations: Violations
) -> AgreementTerms:
    """Domain terms from their message; shape errors go to violations (paths under path)."""
    if not message.HasField("fee"):
        violations.add(f"{path}.fee", "is required")
    if not message.fee.HasField("amount"):
        violations.add(f"{path}.fee.amount", "is required")
    term_start = instant_from_proto(message, "term_start", f"{path}.term_start", violations)
    term_end = instant_from_proto(
        message, "term_end", f"{path}.term_end", violations, required=False
    )
    objectives = _objectives_from_proto(message.objectives, f"{path}.objectives", violations)
    return AgreementTerms(
        provider=Party(message.provider.party_id, message.provider.display_name),
        customer=Party(message.customer.party_id, message.customer.display_name),
        kind=enum_from_proto(message.kind, KIND_FROM_PROTO, f"{path}.kind", violations),
        services=tuple(message.services),
        time_zone=message.time_zone,
        fee=_fee_values(message.fee, f"{path}.fee", violations),
        term_start=term_start or PLACEHOLDER_INSTANT,
        term_end=term_end,
        objectives=objectives,
        credit_policy=_policy(message, path, violations),
        tiers=tuple(
            Tier(
                tier_id=t.tier_id,
                display_name=t.display_name,
                objectives=_objectives_from_proto(
                    t.objectives, f"{path}.tiers[{i}].objectives", violations
                ),
                credit_policy=_policy(t, f"{path}.tiers[{i}]", violations),
            )
            for i, t in enumerate(message.tiers)
        ),
        credit_cap=(
            cap_from_proto(message.credit_cap, f"{path}.credit_cap", violations)
            if message.HasField("credit_cap")
            else None
        ),
        claim_rule=(
            claim_rule_from_proto(message.claim_rule, f"{path}.claim_rule", violations)
            if message.HasField("claim_rule")
            else None
        ),
        exclusion_rules=(
            exclusion_rules_from_proto(message.exclusion_rules)
            if message.HasField("exclusion_rules")
            else None
        ),
    )


def fee_from_proto(message: terms_pb2.Fee, path: str, violations: Violations) -> Fee:
    """A fee from its message (the caller requires the message itself); shape errors go to
    violations under path."""
    if not message.HasField("amount"):
        violations.add(f"{path}.amount", "is required")
    return _fee_values(message, path, violations)


def _fee_values(message: terms_pb2.Fee, path: str, violations: Violations) -> Fee:
    amount = message.amount
    return Fee(
        Money(
            required_decimal(amount.amount, f"{path}.amount.amount", violations),
            amount.currency_code,
        ),
        enum_from_proto(message.period, PERIOD_FROM_PROTO, f"{path}.period", violations),
    )


def fee_to_proto(fee: Fee) -> terms_pb2.Fee:
    """The message of a fee, its amount as stored."""
    return terms_pb2.Fee(
        amount=terms_pb2.Money(currency_code=fee.amount.currency, amount=str(fee.amount.amount)),
        period=PERIOD_TO_PROTO[fee.period],
    )


def party_to_proto(party: Party) -> terms_pb2.Party:
    """The message of a party."""
    return terms_pb2.Party(party_id=party.party_id, display_name=party.display_name)


def _objectives_from_proto(
    messages: Iterable[terms_pb2.Objective], path: str, violations: Violations
) -> tuple[Objective, ...]:
    return tuple(
        Objective(
            objective_id=o.objective_id,
            metric=o.metric,
            target_percent=decimal_field(
                o.target_percent, f"{path}[{i}].target_percent", violations, Decimal(0)
            )
            or Decimal(0),
            period=enum_from_proto(o.period, PERIOD_FROM_PROTO, f"{path}[{i}].period", violations),
            description=o.description,
            rules=rules_from_proto(o, f"{path}[{i}]", violations),
        )
        for i, o in enumerate(messages)
    )


def _policy(
    message: terms_pb2.AgreementTerms | terms_pb2.Tier, path: str, violations: Violations
) -> CreditPolicy | None:
    if not message.HasField("credit_policy"):
        return None
    return policy_from_proto(message.credit_policy, f"{path}.credit_policy", violations)


def terms_to_proto(terms: AgreementTerms) -> terms_pb2.AgreementTerms:
    """The message for domain terms."""
    message = terms_pb2.AgreementTerms(
        provider=party_to_proto(terms.provider),
        customer=party_to_proto(terms.customer),
        kind=KIND_TO_PROTO[terms.kind],
        services=list(terms.services),
        time_zone=terms.time_zone,
        fee=fee_to_proto(terms.fee),
        term_start=instant_to_proto(terms.term_start),
    )
    _objectives_into_proto(terms.objectives, message.objectives)
    if terms.credit_policy is not None:
        policy_into_proto(terms.credit_policy, message.credit_policy)
    for tier in terms.tiers:
        out = message.tiers.add(tier_id=tier.tier_id, display_name=tier.display_name)
        _objectives_into_proto(tier.objectives, out.objectives)
        if tier.credit_policy is not None:
            policy_into_proto(tier.credit_policy, out.credit_policy)
    if terms.term_end is not None:
        message.term_end.CopyFrom(instant_to_proto(terms.term_end))
    if terms.credit_cap is not None:
        cap_into_proto(terms.credit_cap, message.credit_cap)
    if terms.claim_rule is not None:
        claim_rule_into_proto(terms.claim_rule, message.claim_rule)
    if terms.exclusion_rules is not None:
        exclusion_rules_into_proto(terms.exclusion_rules, message.exclusion_rules)
    return message


def _objectives_into_proto(objectives: Iterable[Objective], out: Any) -> None:
    for o in objectives:
        message = out.add(
            objective_id=o.objective_id,
            metric=o.metric,
            target_percent=str(o.target_percent) if o.target_percent else "",
            period=PERIOD_TO_PROTO[o.period],
            description=o.description,
        )
        rules_into_proto(o.rules, message)


def standing_to_proto(standing: AgreementStanding) -> terms_pb2.Agreement:
    """The Agreement message for an agreement's standing at an instant."""
    message = terms_pb2.Agreement(
        agreement_id=standing.agreement_id,
        terms=terms_to_proto(standing.terms.terms),
        terms_version=standing.terms.number,
        terms_effective_from=instant_to_proto(standing.terms.effective_from),
        status=(
            terms_pb2.AGREEMENT_STATUS_TERMINATED
            if standing.is_terminated
            else terms_pb2.AGREEMENT_STATUS_ACTIVE
        ),
        signed_at=instant_to_proto(standing.signed_at),
        version=standing.version,
    )
    if standing.termination is not None:
        message.terminated_at.CopyFrom(instant_to_proto(standing.termination.effective_at))
    return message
