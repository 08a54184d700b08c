"""Agreement terms as OpenSLO v1 documents: one SLO (with its SLI inline) per objective.

Ledger-only fields (credit policies, business hours, label scopes, case clocks, count limits,
cumulative targets) are kept in `metadata.annotations` under `sla-ledger.dev/`, so that an import
brings them back, and reported; terms-level fields (fee, parties, caps) are reported only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from interchange import openslo_names as names
from interchange.openslo_report import Unmapped
from interchange.openslo_windows import DURATIONS, time_window
from service.generated.sla.ledger.v1 import terms_pb2 as terms

COMPARISONS = {
    terms.COMPARISON_LT: "lt",
    terms.COMPARISON_LTE: "lte",
    terms.COMPARISON_GTE: "gte",
    terms.COMPARISON_GT: "gt",
}
_TERMS_ONLY = (
    ("provider", "the provider"),
    ("customer", "the customer"),
    ("fee", "the fee"),
    ("term_end", "the term end"),
    ("credit_policy", "the agreement's credit policy"),
    ("credit_cap", "the cap across objectives"),
    ("claim_rule", "the claim rule"),
    ("exclusion_rules", "the exclusion rules"),
)


@dataclass
class Exported:
    """The documents written and what they could not carry."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)


def export_terms(
    agreement: terms.AgreementTerms,
    *,
    agreement_id: str = "",
    terms_version: int = 0,
    exclusions: int = 0,
) -> Exported:
    """The OpenSLO documents of every objective of the terms (a service SLA's tiers' too)."""
    exported = Exported()
    _report_terms(agreement, exclusions, exported.unmapped)
    used: set[str] = set()
    context = _Context(agreement, agreement_id, terms_version, used, exported.unmapped)
    for objective in agreement.objectives:
        exported.documents.append(context.slo(objective, tier_id=""))
    for tier in agreement.tiers:
        where = f"tier {tier.tier_id}"
        exported.unmapped.append(
            Unmapped(where, f"tiers have no OpenSLO form: kept in annotation {names.TIER}")
        )
        if tier.display_name:
            exported.unmapped.append(Unmapped(where, "display name: not written"))
        if tier.HasField("credit_policy"):
            exported.unmapped.append(Unmapped(where, "the tier's credit policy: not written"))
        for objective in tier.objectives:
            exported.documents.append(context.slo(objective, tier_id=tier.tier_id))
    return exported


def _report_terms(agreement: terms.AgreementTerms, exclusions: int, out: list[Unmapped]) -> None:
    for name, label in _TERMS_ONLY:
        if agreement.HasField(name):
            out.append(Unmapped("agreement", f"{label} ({name}): terms-level, not written"))
    if len(agreement.services) > 1:
        rest = ", ".join(agreement.services[1:])
        out.append(Unmapped("agreement", f"services: spec.service names the first; not: {rest}"))
    if exclusions:
        out.append(Unmapped("agreement", f"{exclusions} exclusion(s) recorded: not written"))


def _compact(message: Message) -> str:
    return json.dumps(json_format.MessageToDict(message), separators=(",", ":"), sort_keys=True)


def _decimal(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


@dataclass
class _Context:
    agreement: terms.AgreementTerms
    agreement_id: str
    terms_version: int
    used: set[str]
    unmapped: list[Unmapped]

    def slo(self, objective: terms.Objective, tier_id: str) -> dict[str, Any]:
        """The SLO document of one objective."""
        where = f"objective {objective.objective_id}" + (f" of tier {tier_id}" if tier_id else "")
        annotations = self._annotations(objective, tier_id, where)
        name = self._name(
            f"{tier_id}-{objective.objective_id}" if tier_id else objective.objective_id
        )
        if name != objective.objective_id or tier_id:
            annotations[names.OBJECTIVE_ID] = objective.objective_id
        metadata: dict[str, Any] = {"name": name}
        spec: dict[str, Any] = {}
        if len(objective.description) > names.MAX_DESCRIPTION:
            annotations[names.DESCRIPTION] = objective.description
            self._note(
                where, f"description over {names.MAX_DESCRIPTION} characters", names.DESCRIPTION
            )
        elif objective.description:
            spec["description"] = objective.description
        if self.agreement.services:
            spec["service"] = self.agreement.services[0]
        spec["indicator"] = _indicator(objective)
        if objective.period in DURATIONS:
            start = self.agreement.term_start.ToDatetime(tzinfo=UTC)
            spec["timeWindow"] = [time_window(objective.period, self.agreement.time_zone, start)]
        else:
            self.unmapped.append(Unmapped(where, "no period: no timeWindow written"))
        spec["budgetingMethod"] = (
            "Timeslices" if objective.indicator == terms.INDICATOR_TIME_SLICES else "Occurrences"
        )
        spec["objectives"] = [self._target(objective, where)]
        if annotations:
            metadata["annotations"] = annotations
        return {"apiVersion": names.API_VERSION, "kind": "SLO", "metadata": metadata, "spec": spec}

    def _name(self, wanted: str) -> str:
        base = names.object_name(wanted)
        name, suffix = base, 2
        while name in self.used:
            name = f"{base[: names.MAX_NAME - len(str(suffix)) - 1]}-{suffix}"
            suffix += 1
        self.used.add(name)
        return name

    def _note(self, where: str, what: str, key: str) -> None:
        self.unmapped.append(Unmapped(where, f"{what}: kept in annotation {key}"))

    def _annotations(self, objective: terms.Objective, tier_id: str, where: str) -> dict[str, str]:
        kept: dict[str, str] = {}
        if self.agreement_id:
            kept[names.AGREEMENT_ID] = self.agreement_id
        if self.terms_version:
            kept[names.TERMS_VERSION] = str(self.terms_version)
        if tier_id:
            kept[names.TIER] = tier_id
        ledger_only: list[tuple[str, str, str]] = []
        if objective.indicator == terms.INDICATOR_COUNT_LIMIT:
            ledger_only.append(
                ("indicator COUNT_LIMIT (a budget of bad events)", names.INDICATOR, "COUNT_LIMIT")
            )
            if objective.HasField("limit"):
                ledger_only.append(("limit", names.LIMIT, str(objective.limit)))
        if objective.indicator == terms.INDICATOR_CUMULATIVE:
            ledger_only.append(
                ("indicator CUMULATIVE (a total to reach)", names.INDICATOR, "CUMULATIVE")
            )
            ledger_only.append(
                ("cumulative target", names.CUMULATIVE_TARGET, objective.cumulative_target)
            )
        if (
            objective.indicator == terms.INDICATOR_TIME_SLICES
            and objective.slice_seconds
            and names.duration_of_seconds(objective.slice_seconds) is None
        ):
            ledger_only.append(
                (
                    "slice seconds (not whole minutes)",
                    names.SLICE_SECONDS,
                    str(objective.slice_seconds),
                )
            )
        if objective.label_scope:
            scope = json.dumps(dict(sorted(objective.label_scope.items())), separators=(",", ":"))
            ledger_only.append(("label scope", names.LABEL_SCOPE, scope))
        if objective.HasField("schedule"):
            ledger_only.append(
                ("schedule (business hours)", names.SCHEDULE, _compact(objective.schedule))
            )
        if objective.off_schedule_target_percent:
            ledger_only.append(
                (
                    "off-schedule target",
                    names.OFF_SCHEDULE_TARGET,
                    objective.off_schedule_target_percent,
                )
            )
        if objective.HasField("credit_policy"):
            ledger_only.append(
                ("credit policy", names.CREDIT_POLICY, _compact(objective.credit_policy))
            )
        if objective.termination_right_after:
            ledger_only.append(
                (
                    "termination right",
                    names.TERMINATION_RIGHT_AFTER,
                    str(objective.termination_right_after),
                )
            )
        if objective.HasField("case_clock"):
            ledger_only.append(("case clock", names.CASE_CLOCK, _compact(objective.case_clock)))
        for what, key, value in ledger_only:
            kept[key] = value
            self._note(where, what, key)
        return kept

    def _target(self, objective: terms.Objective, where: str) -> dict[str, Any]:
        target: dict[str, Any] = {}
        if objective.indicator == terms.INDICATOR_THRESHOLD:
            target["op"] = COMPARISONS.get(objective.threshold.comparison, "")
            target["value"] = _decimal(objective.threshold.value)
        if objective.indicator in (terms.INDICATOR_COUNT_LIMIT, terms.INDICATOR_CUMULATIVE):
            target["targetPercent"] = Decimal(0)
            self.unmapped.append(
                Unmapped(
                    where, "no percentage target: written as targetPercent 0 beside the annotations"
                )
            )
        else:
            percent = _decimal(objective.target_percent or "0")
            target["targetPercent"] = percent
            if percent == Decimal(100):
                self.unmapped.append(
                    Unmapped(
                        where,
                        "target 100 is outside OpenSLO's targetPercent [0, 100): written as is",
                    )
                )
        if objective.indicator == terms.INDICATOR_TIME_SLICES:
            good = _decimal(objective.slice_good_percent or "100")
            target["timeSliceTarget"] = good / 100 if isinstance(good, Decimal) else good
            seconds = objective.slice_seconds or 60
            # Not whole minutes: a number of minutes (OpenSLO's unit for a bare number); the
            # exact seconds are in an annotation.
            target["timeSliceWindow"] = names.duration_of_seconds(seconds) or Decimal(seconds) / 60
        return target


def _indicator(objective: terms.Objective) -> dict[str, Any]:
    def source(count: str) -> dict[str, Any]:
        spec = {"objectiveId": objective.objective_id}
        if count:
            spec["count"] = count
        return {"metricSource": {"type": names.METRIC_SOURCE_TYPE, "spec": spec}}

    if objective.indicator == terms.INDICATOR_THRESHOLD:
        indicator_spec: dict[str, Any] = {"thresholdMetric": source("")}
    else:
        indicator_spec = {
            "ratioMetric": {"counter": False, "good": source("good"), "total": source("total")}
        }
    metric = objective.metric or objective.objective_id
    return {
        "metadata": {"name": names.object_name(metric), "displayName": metric},
        "spec": indicator_spec,
    }
