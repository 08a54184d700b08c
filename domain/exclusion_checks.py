"""The rules an exclusion of an agreement must follow to be recorded."""

from __future__ import annotations

from collections.abc import Collection

from domain.errors import FieldViolation, Violations
from domain.exclusions import Exclusion
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import shown
from domain.terms import MAX_OBJECTIVES, MAX_TEXT_LENGTH, is_aware


def exclusion_violations(
    exclusion: Exclusion, is_service_sla: bool, objective_ids: Collection[str]
) -> list[FieldViolation]:
    """Every rule an exclusion breaks, for an agreement (a service SLA or not) with these
    objectives."""
    violations = Violations()
    if not is_identifier(exclusion.exclusion_id):
        violations.add("exclusion.exclusion_id", IDENTIFIER_RULE)
    if not is_aware(exclusion.start):
        violations.add("exclusion.start", "must carry a time zone")
    elif not is_aware(exclusion.end):
        violations.add("exclusion.end", "must carry a time zone")
    elif exclusion.end <= exclusion.start:
        violations.add("exclusion.end", "must be after exclusion.start")
    if exclusion.customer_id:
        if not is_service_sla:
            violations.add(
                "exclusion.customer_id", "only a service SLA's exclusions name a customer"
            )
        elif not is_identifier(exclusion.customer_id):
            violations.add("exclusion.customer_id", IDENTIFIER_RULE)
    known_objectives = set(objective_ids)
    if len(exclusion.objective_ids) > len(known_objectives):
        violations.add("exclusion.objective_ids", "each of the agreement's objectives once")
    elif len(set(exclusion.objective_ids)) != len(exclusion.objective_ids):
        violations.add("exclusion.objective_ids", "each objective once")
    for index, objective_id in enumerate(exclusion.objective_ids[:MAX_OBJECTIVES]):
        if objective_id not in known_objectives:
            violations.add(
                f"exclusion.objective_ids[{index}]",
                f"agreement has no objective {shown(objective_id)}",
            )
    if not exclusion.reason.strip():
        violations.add("exclusion.reason", "a reason is required")
    for name, text in (("reason", exclusion.reason), ("evidence", exclusion.evidence)):
        if len(text) > MAX_TEXT_LENGTH:
            violations.add(f"exclusion.{name}", f"at most {MAX_TEXT_LENGTH} characters")
    return list(violations)
