"""Round trips: terms -> OpenSLO -> terms are the terms again; OpenSLO -> terms -> OpenSLO keeps
what maps (docs/openslo.md)."""

from __future__ import annotations

from typing import Any

import pytest

from interchange.openslo_export import export_terms
from interchange.openslo_import import import_documents
from interchange.terms_json import merge_objectives
from interchange.yaml_io import dump_documents, load_documents
from service.generated.sla.ledger.v1 import terms_pb2 as terms
from tests.unit.openslo.openslo_samples import berlin_terms, fixture, rich_terms, tiered_terms


def _through_yaml(agreement: terms.AgreementTerms) -> terms.AgreementTerms:
    text = dump_documents(export_terms(agreement).documents)
    imported = import_documents(load_documents(text.encode()), agreement)
    empty = terms.AgreementTerms()
    empty.CopyFrom(agreement)
    del empty.objectives[:]
    for tier in empty.tiers:
        del tier.objectives[:]
    return merge_objectives(empty, imported.terms)


def test_terms_exported_and_imported_are_the_same_terms() -> None:
    agreement = rich_terms()
    assert _through_yaml(agreement) == agreement


def test_a_service_slas_tiers_come_back_to_their_tiers() -> None:
    agreement = tiered_terms()
    assert _through_yaml(agreement) == agreement


def test_the_round_trip_of_the_terms_reports_nothing_on_import() -> None:
    agreement = rich_terms()
    text = dump_documents(export_terms(agreement).documents)
    assert import_documents(load_documents(text.encode()), agreement).unmapped == []


def _mapped(document: dict[str, Any]) -> dict[str, Any]:
    """What the ledger keeps of an SLO: window, method, targets (as percent), thresholds."""
    spec = document["spec"]
    window = spec["timeWindow"][0]
    targets = []
    for target in spec["objectives"]:
        percent = target.get("targetPercent", None)
        percent = target["target"] * 100 if percent is None else percent
        kept = {key: target[key] for key in ("op", "value", "timeSliceTarget") if key in target}
        targets.append({"percent": percent, **kept})
    return {
        "duration": window["duration"],
        "timeZone": window.get("calendar", {}).get("timeZone"),
        "budgetingMethod": spec["budgetingMethod"],
        "targets": targets,
    }


@pytest.mark.parametrize(
    "name", ["inline_ratio.yaml", "referenced_threshold.yaml", "timeslices.yaml"]
)
def test_openslo_imported_and_exported_keeps_what_maps(name: str) -> None:
    documents = fixture(name)
    base = berlin_terms("foo")
    base.term_start.FromJsonString("2026-01-01T00:00:00Z")
    imported = import_documents(documents, base)
    again = export_terms(merge_objectives(base, imported.terms)).documents
    slos = [document for document in documents if document["kind"] == "SLO"]
    assert [_mapped(document) for document in again] == [_mapped(slo) for slo in slos]


def test_a_timeslice_window_in_minutes_comes_back_in_minutes() -> None:
    imported = import_documents(fixture("timeslices.yaml"), berlin_terms("foo"))
    (document,) = export_terms(imported.terms).documents
    assert document["spec"]["objectives"][0]["timeSliceWindow"] == "5m"


def test_ids_that_make_the_same_openslo_name_get_distinct_names_and_come_back() -> None:
    agreement = terms.AgreementTerms(time_zone="UTC", services=["api"])
    for objective_id in ("api_latency", "API-latency", "api-latency"):
        agreement.objectives.add(
            objective_id=objective_id, metric="m", target_percent="99", period=3, indicator=1
        )
    documents = export_terms(agreement).documents
    assert [d["metadata"]["name"] for d in documents] == [
        "api-latency",
        "api-latency-2",
        "api-latency-3",
    ]
    assert _through_yaml(agreement) == agreement


def test_an_import_into_terms_replaces_the_objective_of_the_same_id_in_place() -> None:
    base = berlin_terms("foo")
    for objective_id, target in (("first", "90"), ("foo-slo", "50"), ("last", "80")):
        base.objectives.add(objective_id=objective_id, metric="m", target_percent=target, period=3)
    imported = import_documents(fixture("inline_ratio.yaml"), base)
    merged = merge_objectives(base, imported.terms)
    assert [(o.objective_id, o.target_percent) for o in merged.objectives] == [
        ("first", "90"),
        ("foo-slo", "98"),
        ("last", "80"),
    ]
