"""An OpenSLO SLI (inline or a document of its own) read for what the ledger keeps of it: a
ratio or a threshold metric, and its name as the objective's metric. The queries are not kept:
the ledger is sent readings rather than querying a data source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interchange import openslo_names as names
from interchange.openslo_documents import Reader


@dataclass(frozen=True)
class Indicator:
    """What an SLI says for the ledger."""

    threshold: bool  # thresholdMetric; else ratioMetric
    metric: str  # displayName, else name
    foreign_sources: bool  # some metric source is a query of another system
    raw: bool  # a precomputed ratio (rawType/raw) rather than good/bad and total
    described: bool  # the SLI has a description of its own


def read_indicator(reader: Reader, metadata: Any, spec: Any, path: str) -> Indicator:
    """The indicator at path: metadata (name, displayName) and spec of an SLI."""
    meta = reader.mapping(metadata, f"{path}.metadata")
    name = reader.text(meta, "name", f"{path}.metadata", required=True)
    display = reader.text(meta, "displayName", f"{path}.metadata")
    body = reader.mapping(spec, f"{path}.spec")
    described = bool(reader.text(body, "description", f"{path}.spec"))
    threshold, ratio = body.get("thresholdMetric"), body.get("ratioMetric")
    if (threshold is None) == (ratio is None):
        raise reader.fail(f"{path}.spec", "give exactly one of thresholdMetric and ratioMetric")
    if threshold is not None:
        foreign = _metric(reader, threshold, f"{path}.spec.thresholdMetric")
        return Indicator(True, display or name, foreign, False, described)
    where = f"{path}.spec.ratioMetric"
    body = reader.mapping(ratio, where)
    reader.flag(body, "counter", where)
    has = {key for key in ("good", "bad", "total", "raw") if body.get(key) is not None}
    if "raw" in has:
        if has != {"raw"}:
            raise reader.fail(where, "raw cannot be given with good, bad or total")
        raw_type = reader.text(body, "rawType", where, required=True)
        if raw_type not in {"success", "failure"}:
            raise reader.fail(f"{where}.rawType", f"{raw_type!r} is not success or failure")
        foreign = _metric(reader, body["raw"], f"{where}.raw")
        return Indicator(False, display or name, foreign, True, described)
    if has not in ({"good", "total"}, {"bad", "total"}):
        raise reader.fail(where, "give total with exactly one of good and bad, or raw")
    foreign = False
    for key in sorted(has):
        foreign = _metric(reader, body[key], f"{where}.{key}") or foreign
    return Indicator(False, display or name, foreign, False, described)


def _metric(reader: Reader, value: Any, path: str) -> bool:
    """Check one metric (its metricSource); True when it is another system's query."""
    metric = reader.mapping(value, path)
    source = reader.mapping(metric.get("metricSource"), f"{path}.metricSource")
    kind = reader.text(source, "type", f"{path}.metricSource")
    reader.text(source, "metricSourceRef", f"{path}.metricSource")
    if source.get("spec") is not None:
        reader.mapping(source["spec"], f"{path}.metricSource.spec")
    return kind != names.METRIC_SOURCE_TYPE
