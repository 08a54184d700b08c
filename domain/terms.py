"""The terms of an agreement: parties, services, fee, term and objectives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from zoneinfo import available_timezones

from domain.claim_rules import ClaimRule, claim_rule_violations
from domain.credit_cap_rule import CreditCap, cap_violations
from domain.credit_policies import CreditPolicy, StepsRule, policy_violations
from domain.errors import FieldViolation
from domain.exclusion_rules import ExclusionRules
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.money import Money
from domain.objectives import Indicator, ObjectiveRules, rules_violations

MAX_NAME_LENGTH = 256
MAX_TEXT_LENGTH = 4096
MAX_SERVICES = 100
MAX_OBJECTIVES = 200
MAX_TIERS = 20


class AgreementKind(Enum):
    """Whom an agreement binds."""

    CUSTOMER_BASED = "customer_based"
    SERVICE_BASED = "service_based"
    INTERNAL = "internal"


class PeriodUnit(Enum):
    """A calendar window in the agreement's time zone."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Party:
    """One side of an agreement."""

    party_id: str
    display_name: str = ""


@dataclass(frozen=True)
class Fee:
    """The amount the customer pays per period; credits are computed from it."""

    amount: Money
    period: PeriodUnit


@dataclass(frozen=True)
class Objective:
    """A service level objective: a metric, a target percentage and its window."""

    objective_id: str
    metric: str
    target_percent: Decimal
    period: PeriodUnit
    description: str = ""
    rules: ObjectiveRules = field(default_factory=ObjectiveRules)


@dataclass(frozen=True)
class Tier:
    """One level of a service-based SLA: its objectives and, optionally, its own credit policy."""

    tier_id: str
    display_name: str = ""
    objectives: tuple[Objective, ...] = field(default=())
    credit_policy: CreditPolicy | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "objectives", tuple(self.objectives))


@dataclass(frozen=True)
class AgreementTerms:
    """The complete terms of one version of an agreement."""

    provider: Party
    customer: Party
    kind: AgreementKind
    services: tuple[str, ...]
    time_zone: str
    fee: Fee
    term_start: datetime
    term_end: datetime | None
    objectives: tuple[Objective, ...] = field(default=())
    credit_policy: CreditPolicy | None = None
    tiers: tuple[Tier, ...] = field(default=())
    # The cap across objectives of each fee period's credits (domain/credit_caps.py).
    credit_cap: CreditCap | None = None
    claim_rule: ClaimRule | None = None  # credits must be claimed (domain/claims.py)
    exclusion_rules: ExclusionRules | None = None

    def __post_init__(self) -> None:
        # Stored events decode sequences as lists; the terms always hold tuples.
        object.__setattr__(self, "services", tuple(self.services))
        object.__setattr__(self, "objectives", tuple(self.objectives))
        object.__setattr__(self, "tiers", tuple(self.tiers))

    @property
    def is_service_sla(self) -> bool:
        """Whether these are the terms of a service's SLA, with tiers that customers subscribe to
        (domain/subscriber_views.py), rather than of one agreement with one customer."""
        return bool(self.tiers)

    def objective(self, objective_id: str) -> Objective | None:
        """The objective with that id, if these terms have it."""
        return next((o for o in self.objectives if o.objective_id == objective_id), None)

    def tier(self, tier_id: str) -> Tier | None:
        """The tier with that id, if these terms have it."""
        return next((t for t in self.tiers if t.tier_id == tier_id), None)

    def judged_objectives(self) -> tuple[Objective, ...]:
        """Every objective these terms judge: their own, then each tier's (an objective that
        several tiers hold appears once per tier)."""
        return self.objectives + tuple(o for t in self.tiers for o in t.objectives)

    def violations(self, prefix: str = "terms") -> list[FieldViolation]:
        """Every rule these terms break, with field paths under prefix."""
        found: list[FieldViolation] = []

        def bad(path: str, description: str) -> None:
            found.append(FieldViolation(f"{prefix}.{path}", description))

        for role, party in (("provider", self.provider), ("customer", self.customer)):
            if role == "customer" and self.is_service_sla:
                if party.party_id or party.display_name:
                    bad("customer", "a service SLA has no customer: customers subscribe to it")
            elif not is_identifier(party.party_id):
                bad(f"{role}.party_id", IDENTIFIER_RULE)
            if len(party.display_name) > MAX_NAME_LENGTH:
                bad(f"{role}.display_name", f"at most {MAX_NAME_LENGTH} characters")
        if not self.services:
            bad("services", "at least one service is required")
        if len(self.services) > MAX_SERVICES:
            bad("services", f"at most {MAX_SERVICES} services")
        for index, service in enumerate(self.services):
            if not service.strip() or len(service) > MAX_NAME_LENGTH:
                bad(f"services[{index}]", f"1 to {MAX_NAME_LENGTH} characters, not blank")
        if len(set(self.services)) != len(self.services):
            bad("services", "service names must be unique")
        if not is_time_zone(self.time_zone):
            bad("time_zone", f"{self.time_zone!r} is not an IANA time zone")
        for path, description in self.fee.amount.problems():
            bad(f"fee.amount.{path}", description)
        if not is_aware(self.term_start):
            bad("term_start", "must carry a time zone")
        elif self.term_end is not None and not is_aware(self.term_end):
            bad("term_end", "must carry a time zone")
        elif self.term_end is not None and self.term_end <= self.term_start:
            bad("term_end", "must be after term_start")
        if self.is_service_sla:
            found.extend(_tier_violations(self, prefix))
        else:
            found.extend(_objective_violations(self.objectives, f"{prefix}.objectives"))
        if self.credit_policy is not None:
            found.extend(
                FieldViolation(field_path, description)
                for field_path, description in policy_violations(
                    self.credit_policy, f"{prefix}.credit_policy"
                )
            )
        found.extend(_steps_violations(self.objectives, self.credit_policy, f"{prefix}.objectives"))
        if self.credit_cap is not None:
            found.extend(
                FieldViolation(field_path, description)
                for field_path, description in cap_violations(
                    self.credit_cap, self.fee.amount.currency, f"{prefix}.credit_cap"
                )
            )
        if self.claim_rule is not None:
            found.extend(
                FieldViolation(field_path, description)
                for field_path, description in claim_rule_violations(
                    self.claim_rule, self.fee.amount.currency, f"{prefix}.claim_rule"
                )
            )
        if self.exclusion_rules is not None:
            found.extend(self.exclusion_rules.violations(f"{prefix}.exclusion_rules"))
        return found


def _steps_violations(
    objectives: Sequence[Objective], default_policy: CreditPolicy | None, prefix: str
) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    for index, objective in enumerate(objectives):
        policy = objective.rules.credit_policy or default_policy
        if (
            objective.rules.indicator is Indicator.COUNT_LIMIT
            and policy is not None
            and isinstance(policy.rule, StepsRule)
            and policy.rule.below_percent is None
        ):
            found.append(
                FieldViolation(
                    f"{prefix}[{index}].credit_policy",
                    "a count-limit objective has no percentage target: "
                    "a steps rule needs below_percent",
                )
            )
    return found


def _tier_violations(terms: AgreementTerms, prefix: str) -> list[FieldViolation]:
    """The rules of a service SLA's tiers: each an identifier once, with valid objectives; an
    objective id that several tiers hold names the same metric measured the same way."""
    found: list[FieldViolation] = []
    if terms.kind is not AgreementKind.SERVICE_BASED:
        found.append(FieldViolation(f"{prefix}.kind", "only a service-based SLA has tiers"))
    if terms.objectives:
        found.append(
            FieldViolation(f"{prefix}.objectives", "a service SLA's objectives are in its tiers")
        )
    if len(terms.tiers) > MAX_TIERS:
        found.append(FieldViolation(f"{prefix}.tiers", f"at most {MAX_TIERS} tiers"))
    seen_tiers: set[str] = set()
    measured: dict[str, tuple[str, Indicator]] = {}
    for index, tier in enumerate(terms.tiers[:MAX_TIERS]):
        path = f"{prefix}.tiers[{index}]"
        if not is_identifier(tier.tier_id):
            found.append(FieldViolation(f"{path}.tier_id", IDENTIFIER_RULE))
        elif tier.tier_id in seen_tiers:
            found.append(FieldViolation(f"{path}.tier_id", "tier ids must be unique"))
        seen_tiers.add(tier.tier_id)
        if len(tier.display_name) > MAX_NAME_LENGTH:
            found.append(
                FieldViolation(f"{path}.display_name", f"at most {MAX_NAME_LENGTH} characters")
            )
        found.extend(_objective_violations(tier.objectives, f"{path}.objectives"))
        for o_index, objective in enumerate(tier.objectives[:MAX_OBJECTIVES]):
            o_path = f"{path}.objectives[{o_index}]"
            if objective.rules.case_clock is not None:
                found.append(
                    FieldViolation(
                        f"{o_path}.case_clock", "a service SLA's tiers cannot hold case objectives"
                    )
                )
            shape = (objective.metric, objective.rules.indicator)
            if measured.setdefault(objective.objective_id, shape) != shape:
                found.append(
                    FieldViolation(
                        o_path,
                        f"objective {objective.objective_id!r} is in several tiers: "
                        "it must name the same metric and indicator in each",
                    )
                )
        if tier.credit_policy is not None:
            found.extend(
                FieldViolation(field_path, description)
                for field_path, description in policy_violations(
                    tier.credit_policy, f"{path}.credit_policy"
                )
            )
        found.extend(
            _steps_violations(
                tier.objectives, tier.credit_policy or terms.credit_policy, f"{path}.objectives"
            )
        )
    return found


def _objective_violations(objectives: Sequence[Objective], prefix: str) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    if not objectives:
        found.append(FieldViolation(prefix, "at least one objective is required"))
    if len(objectives) > MAX_OBJECTIVES:
        found.append(FieldViolation(prefix, f"at most {MAX_OBJECTIVES} objectives"))
    seen: set[str] = set()
    for index, objective in enumerate(objectives):
        path = f"{prefix}[{index}]"
        if not is_identifier(objective.objective_id):
            found.append(FieldViolation(f"{path}.objective_id", IDENTIFIER_RULE))
        elif objective.objective_id in seen:
            found.append(FieldViolation(f"{path}.objective_id", "objective ids must be unique"))
        seen.add(objective.objective_id)
        if not objective.metric.strip() or len(objective.metric) > MAX_NAME_LENGTH:
            found.append(
                FieldViolation(f"{path}.metric", f"1 to {MAX_NAME_LENGTH} characters, not blank")
            )
        found.extend(
            FieldViolation(field_path, description)
            for field_path, description in rules_violations(
                objective.rules, objective.target_percent, path
            )
        )
        if len(objective.description) > MAX_TEXT_LENGTH:
            found.append(
                FieldViolation(f"{path}.description", f"at most {MAX_TEXT_LENGTH} characters")
            )
    return found


def is_aware(instant: datetime) -> bool:
    """Whether instant is timezone-aware, so it names one moment."""
    return instant.tzinfo is not None and instant.utcoffset() is not None


@cache
def _time_zone_names() -> frozenset[str]:
    # Files in the zone directory that are not zones of their own.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


def is_time_zone(name: str) -> bool:
    """Whether name is a zone of the IANA time zone database (not a path or rule file)."""
    return name in _time_zone_names()
