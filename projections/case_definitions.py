"""Case-objective definitions as the case_judgements read model keeps them: what judges a case.

A definition is everything judgement_spans reads of an objective (its clock, schedule and label
scope) and the agreement's time zone, written as canonical JSON so that two terms versions with
the same definition share one def_version and one set of judgement rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.objectives import CaseClock, ClockStop, ObjectiveRules, Schedule
from domain.terms import AgreementTerms, Objective, PeriodUnit


@dataclass(frozen=True)
class CaseDefinition:
    """One case objective of one terms version, and the def_version its judgements are under."""

    objective_id: str
    terms_version: int
    def_version: int
    spec: str

    def objective(self) -> Objective:
        """An objective judging cases as the definition does (its other fields are unused)."""
        return objective_of(self.objective_id, self.spec)[0]

    @property
    def time_zone(self) -> str:
        """The agreement's time zone in these terms."""
        return str(json.loads(self.spec)["tz"])


def case_specs(terms: AgreementTerms) -> dict[str, str]:
    """The definition of each case objective of the terms, by objective id."""
    return {
        o.objective_id: spec_of(o, terms.time_zone)
        for o in terms.objectives
        if o.rules.case_clock is not None
    }


def spec_of(objective: Objective, time_zone: str) -> str:
    """The canonical JSON of what judges cases under a case objective."""
    rules = objective.rules
    clock = rules.case_clock
    assert clock is not None
    schedule = rules.schedule
    data: dict[str, Any] = {
        "stop": clock.stop.value,
        "target": clock.target_seconds,
        "reasons": sorted(clock.pause_reasons),
        "schedule": None
        if schedule is None
        else [
            list(schedule.days),
            schedule.start_minute,
            schedule.end_minute,
            list(schedule.holidays),
        ],
        "scope": dict(sorted(rules.label_scope.items())),
        "tz": time_zone,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def objective_of(objective_id: str, spec: str) -> tuple[Objective, str]:
    """The objective and time zone a definition's JSON describes."""
    data = json.loads(spec)
    schedule = data["schedule"]
    rules = ObjectiveRules(
        label_scope=dict(data["scope"]),
        schedule=None
        if schedule is None
        else Schedule(tuple(schedule[0]), schedule[1], schedule[2], tuple(schedule[3])),
        case_clock=CaseClock(ClockStop(data["stop"]), data["target"], tuple(data["reasons"])),
    )
    return Objective(objective_id, "", Decimal(0), PeriodUnit.MONTH, rules=rules), data["tz"]
