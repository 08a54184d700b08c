"""OpenSLO v1 documents as ledger objectives (AgreementTerms objectives, and tiers' for SLOs an
export marked with a tier), with every field that does not map reported.

Each SLO objective (an entry of `spec.objectives`) becomes one ledger objective: the first keeps
the SLO's name (or its `sla-ledger.dev/objective-id` annotation), the n-th is `NAME-n`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from interchange import openslo_names as names
from interchange.openslo_annotations import report_foreign, restore
from interchange.openslo_documents import KINDS, Reader, label
from interchange.openslo_indicators import Indicator, read_indicator
from interchange.openslo_report import Unmapped
from interchange.openslo_windows import is_period_start, parse_start_time, period_of_window
from service.generated.sla.ledger.v1 import terms_pb2 as terms

COMPARISONS = {
    "lt": terms.COMPARISON_LT,
    "lte": terms.COMPARISON_LTE,
    "gte": terms.COMPARISON_GTE,
    "gt": terms.COMPARISON_GT,
}
_SLO_FIELDS = frozenset(
    {"description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod"}
    | {"objectives", "alertPolicies"}
)
_TARGET_FIELDS = frozenset(
    {"displayName", "op", "value", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow"}
)
_HUNDRED = Decimal(100)


@dataclass
class Imported:
    """The objectives read (in `terms.objectives` and `terms.tiers`) and what did not map."""

    terms: terms.AgreementTerms = field(default_factory=terms.AgreementTerms)
    unmapped: list[Unmapped] = field(default_factory=list)


@dataclass(frozen=True)
class _Document:
    reader: Reader
    index: int
    kind: str
    metadata: dict[str, Any]
    spec: dict[str, Any]


def import_documents(documents: list[Any], base: terms.AgreementTerms | None = None) -> Imported:
    """The objectives of the SLO documents; DocumentError for a document that is not OpenSLO v1.
    `base` (the terms they go into) says which services and time zone are already the terms'."""
    imported = Imported()
    read = [_header(index, document) for index, document in enumerate(documents, start=1)]
    indicators: dict[str, _Document] = {}
    for document in read:
        if document.kind == "SLI":
            name = document.metadata["name"]
            if name in indicators:
                raise document.reader.fail("metadata.name", f"a second SLI named {name!r}")
            indicators[name] = document
    used: set[str] = set()
    for document in read:
        if document.kind == "SLO":
            _Slo(document, indicators, used, base or terms.AgreementTerms(), imported).read()
        elif document.kind != "SLI":
            what = f"kind {document.kind}: the ledger keeps no {document.kind} objects"
            imported.unmapped.append(Unmapped(document.reader.document, what))
    for name, document in indicators.items():
        if name not in used:
            what = "no SLO refers to this SLI: not imported"
            imported.unmapped.append(Unmapped(document.reader.document, what))
    return imported


def _header(index: int, value: Any) -> _Document:
    reader = Reader(label(index, value))
    document = reader.mapping(value, "the document")
    if document.get("apiVersion") != names.API_VERSION:
        shown = repr(document.get("apiVersion"))[:60]
        raise reader.fail("apiVersion", f"{shown} is not {names.API_VERSION}")
    kind = reader.text(document, "kind", "", required=True)
    if kind not in KINDS:
        raise reader.fail("kind", f"{kind[:60]!r} is not one of {', '.join(sorted(KINDS))}")
    metadata = reader.mapping(document.get("metadata"), "metadata")
    name = reader.text(metadata, "name", "metadata", required=True)
    if len(name) > 255:
        raise reader.fail("metadata.name", "is longer than 255 characters")
    reader.text(metadata, "displayName", "metadata")
    if metadata.get("annotations") is not None:
        reader.strings(metadata["annotations"], "metadata.annotations")
    if metadata.get("labels") is not None:
        reader.mapping(metadata["labels"], "metadata.labels")
    spec = reader.mapping(document.get("spec"), "spec") if kind in {"SLO", "SLI"} else {}
    return _Document(reader, index, kind, metadata, spec)


@dataclass
class _Slo:
    document: _Document
    indicators: dict[str, _Document]
    used: set[str]
    base: terms.AgreementTerms
    imported: Imported

    @property
    def _annotations(self) -> dict[str, str]:
        return self.document.metadata.get("annotations") or {}

    def note(self, what: str) -> None:
        self.imported.unmapped.append(Unmapped(self.document.reader.document, what))

    def read(self) -> None:
        reader, spec, metadata = self.document.reader, self.document.spec, self.document.metadata
        annotations: dict[str, str] = metadata.get("annotations") or {}
        for key in sorted(set(spec) - _SLO_FIELDS):
            self.note(f"spec.{key}: not an OpenSLO v1 SLO field; not kept")
        if metadata.get("displayName"):
            self.note("metadata.displayName: not kept (objectives have ids, not display names)")
        if metadata.get("labels"):
            self.note("metadata.labels: not kept")
        report_foreign(annotations, reader.document, self.imported.unmapped)
        indicator = self._indicator()
        method = reader.text(spec, "budgetingMethod", "spec", required=True)
        if method not in {"Occurrences", "Timeslices"}:
            raise reader.fail(
                "spec.budgetingMethod", f"{method[:60]!r} is not Occurrences or Timeslices"
            )
        slices = method == "Timeslices"
        if slices and indicator.threshold:
            self.note(
                "budgetingMethod Timeslices with a thresholdMetric: judged per sample (Occurrences)"
            )
        period = self._period()
        service = reader.text(spec, "service", "spec")
        if service and service not in self.base.services:
            self.note(
                f"spec.service {service[:80]!r}: services are the agreement's "
                "(AgreementTerms.services)"
            )
        if spec.get("alertPolicies") is not None:
            self.note("spec.alertPolicies: not kept (the ledger does not alert)")
        description = reader.text(spec, "description", "spec")
        if len(description) > names.MAX_DESCRIPTION:
            raise reader.fail(
                "spec.description", f"is longer than {names.MAX_DESCRIPTION} characters"
            )
        targets = reader.items(spec.get("objectives"), "spec.objectives")
        if indicator.threshold and len(targets) > 1:
            raise reader.fail("spec.objectives", "a thresholdMetric SLO has exactly one objective")
        first_id = annotations.get(names.OBJECTIVE_ID) or metadata["name"]
        tier_id = annotations.get(names.TIER, "")
        for index, target in enumerate(targets):
            objective = terms.Objective(
                objective_id=first_id if index == 0 else f"{first_id}-{index + 1}",
                metric=indicator.metric,
                description=description,
                period=period,
            )
            self._target(
                reader.mapping(target, f"spec.objectives[{index}]"),
                index,
                indicator,
                slices,
                objective,
            )
            restore(reader, annotations, objective, "")
            self._add(objective, tier_id)

    def _indicator(self) -> Indicator:
        reader, spec = self.document.reader, self.document.spec
        inline, reference = spec.get("indicator"), spec.get("indicatorRef")
        if (inline is None) == (reference is None):
            raise reader.fail("spec", "give exactly one of indicator and indicatorRef")
        if inline is not None:
            body = reader.mapping(inline, "spec.indicator")
            indicator = read_indicator(
                reader, body.get("metadata"), body.get("spec"), "spec.indicator"
            )
        else:
            name = reader.text(spec, "indicatorRef", "spec", required=True)
            if name not in self.indicators:
                raise reader.fail("spec.indicatorRef", f"no SLI document is named {name[:80]!r}")
            self.used.add(name)
            sli = self.indicators[name]
            indicator = read_indicator(sli.reader, sli.metadata, sli.spec, "")
        if indicator.foreign_sources:
            self.note("the SLI's metric source queries: not kept (the ledger is sent readings)")
        if indicator.raw:
            self.note("a raw (precomputed) ratio: the ledger counts good and total; send counts")
        if indicator.described:
            self.note("the SLI's description: not kept (the SLO's is the objective's)")
        return indicator

    def _period(self) -> terms.PeriodUnit:
        reader, spec = self.document.reader, self.document.spec
        if spec.get("timeWindow") is None:
            self.note("no timeWindow: the objective has no period; set one before signing")
            return terms.PERIOD_UNIT_UNSPECIFIED
        windows = reader.items(spec["timeWindow"], "spec.timeWindow")
        if len(windows) != 1:
            raise reader.fail("spec.timeWindow", "must hold exactly one window")
        window = reader.mapping(windows[0], "spec.timeWindow[0]")
        where = "spec.timeWindow[0]"
        duration = reader.text(window, "duration", where, required=True)
        if names.parse_duration(duration) is None:
            raise reader.fail(
                f"{where}.duration", f"{duration[:40]!r} is not a duration shorthand (4w, 1M)"
            )
        rolling = reader.flag(window, "isRolling", where)
        calendar = reader.optional_mapping(window, "calendar", where)
        if rolling and calendar:
            raise reader.fail(where, "a rolling window has no calendar")
        if not rolling and not calendar:
            raise reader.fail(where, "give isRolling: true or a calendar")
        period = period_of_window(duration, bool(rolling))
        if period == terms.PERIOD_UNIT_UNSPECIFIED:
            self.note(
                f"timeWindow {duration}: no ledger period (1d, 1w, 1M, 1Q); set one before signing"
            )
        elif rolling:
            self.note(
                f"rolling window {duration}: the ledger judges calendar periods; "
                "taken as the calendar one"
            )
        if calendar:
            self._calendar(reader, calendar, f"{where}.calendar", period)
        return period

    def _calendar(
        self, reader: Reader, calendar: dict[str, Any], where: str, period: terms.PeriodUnit
    ) -> None:
        start_text = reader.text(calendar, "startTime", where, required=True)
        zone = reader.text(calendar, "timeZone", where, required=True)
        start = parse_start_time(start_text)
        if start is None:
            raise reader.fail(
                f"{where}.startTime", f"{start_text[:40]!r} is not YYYY-MM-DD HH:MM:SS"
            )
        if period != terms.PERIOD_UNIT_UNSPECIFIED and not is_period_start(period, start):
            self.note(
                f"calendar.startTime {start_text}: the ledger's periods start at local "
                "midnight of their first day"
            )
        if zone != self.base.time_zone:
            self.note(
                f"calendar.timeZone {zone[:64]}: the agreement's (AgreementTerms.time_zone) "
                f"is {self.base.time_zone or 'not given'}"
            )

    def _target(
        self,
        target: dict[str, Any],
        index: int,
        indicator: Indicator,
        slices: bool,
        objective: terms.Objective,
    ) -> None:
        reader, where = self.document.reader, f"spec.objectives[{index}]"
        for key in sorted(set(target) - _TARGET_FIELDS):
            self.note(f"{where}.{key}: not an OpenSLO v1 objective field; not kept")
        if reader.text(target, "displayName", where):
            self.note(f"{where}.displayName: not kept")
        ratio = reader.number(target, "target", where, Decimal(0), Decimal(1))
        percent = reader.number(target, "targetPercent", where, Decimal(0), _HUNDRED)
        if (ratio is None) == (percent is None):
            raise reader.fail(where, "give exactly one of target and targetPercent")
        objective.target_percent = (
            format(percent, "f") if percent is not None else names.plain(ratio * _HUNDRED)  # type: ignore[operator]
        )
        if Decimal(objective.target_percent) == 0 and names.INDICATOR not in self._annotations:
            self.note(f"{where}: target 0: the ledger needs a target above 0")
        if indicator.threshold:
            self._threshold(target, where, objective)
        elif target.get("op") is not None or target.get("value") is not None:
            self.note(f"{where}: op and value belong to a thresholdMetric; not kept")
        if indicator.threshold:
            objective.indicator = terms.INDICATOR_THRESHOLD
        elif slices:
            objective.indicator = terms.INDICATOR_TIME_SLICES
        else:
            objective.indicator = terms.INDICATOR_RATIO
        if slices and not indicator.threshold:
            self._slices(target, where, objective)

    def _threshold(self, target: dict[str, Any], where: str, objective: terms.Objective) -> None:
        reader = self.document.reader
        op = reader.text(target, "op", where, required=True)
        if op not in COMPARISONS:
            raise reader.fail(f"{where}.op", f"{op[:20]!r} is not lt, lte, gte or gt")
        bound = Decimal(10) ** 18
        value = reader.number(target, "value", where, -bound, bound)
        if value is None:
            raise reader.fail(f"{where}.value", "is required with a thresholdMetric")
        objective.threshold.comparison = COMPARISONS[op]
        objective.threshold.value = format(value, "f")

    def _slices(self, target: dict[str, Any], where: str, objective: terms.Objective) -> None:
        reader = self.document.reader
        good = reader.number(target, "timeSliceTarget", where, Decimal(0), Decimal(1))
        if good is None or good == 0:
            raise reader.fail(
                f"{where}.timeSliceTarget", "is required with Timeslices, above 0 and at most 1"
            )
        objective.slice_good_percent = "" if good == 1 else names.plain(good * _HUNDRED)
        window = target.get("timeSliceWindow")
        if window is None:
            raise reader.fail(f"{where}.timeSliceWindow", "is required with Timeslices")
        if names.SLICE_SECONDS in self._annotations:
            return  # the exact seconds an export kept; restored from the annotation
        seconds = _slice_seconds(window)
        if seconds is None:
            raise reader.fail(
                f"{where}.timeSliceWindow",
                f"{str(window)[:40]!r} is not a number of minutes or a duration shorthand",
            )
        if not 1 <= seconds <= 86_400:
            self.note(
                f"{where}.timeSliceWindow {window}: the ledger's slices are 1 s to 1 d; not kept"
            )
            return
        objective.slice_seconds = 0 if seconds == 60 else seconds

    def _add(self, objective: terms.Objective, tier_id: str) -> None:
        if not tier_id:
            self.imported.terms.objectives.append(objective)
            return
        for tier in self.imported.terms.tiers:
            if tier.tier_id == tier_id:
                tier.objectives.append(objective)
                return
        self.imported.terms.tiers.add(tier_id=tier_id).objectives.append(objective)


def _slice_seconds(window: Any) -> int | None:
    if isinstance(window, bool):
        return None
    if isinstance(window, int | Decimal):
        seconds = Decimal(window) * 60
        return int(seconds) if seconds == seconds.to_integral_value() and seconds < 10**9 else None
    if isinstance(window, str):
        parsed = names.parse_duration(window)
        if parsed and parsed[1] in names.UNIT_SECONDS:
            return parsed[0] * names.UNIT_SECONDS[parsed[1]]
    return None
