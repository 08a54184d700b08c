"""What does not map is reported, one line each, never silently dropped."""

from __future__ import annotations

from interchange.openslo_export import export_terms
from interchange.openslo_import import import_documents
from tests.unit.openslo.openslo_samples import berlin_terms, fixture, rich_terms


def _import_lines(name: str, *services: str) -> list[str]:
    imported = import_documents(fixture(name), berlin_terms(*services))
    return [item.line() for item in imported.unmapped]


def _export_lines() -> list[str]:
    return [item.line() for item in export_terms(rich_terms(), exclusions=2).unmapped]


def test_an_import_of_another_tools_slo_reports_its_queries_as_not_kept() -> None:
    assert "not mapped: document 1 (SLO foo-slo): the SLI's metric source queries: not kept " in (
        "\n".join(_import_lines("inline_ratio.yaml", "foo"))
    )


def test_an_import_reports_display_names_it_does_not_keep() -> None:
    lines = _import_lines("inline_ratio.yaml", "foo")
    assert any("metadata.displayName" in line for line in lines)
    assert any("spec.objectives[0].displayName" in line for line in lines)


def test_an_import_reports_kinds_the_ledger_keeps_no_objects_of() -> None:
    lines = _import_lines("rolling_and_others.yaml", "foo")
    assert any("document 1 (Service foo): kind Service" in line for line in lines)
    assert any("document 2 (AlertPolicy cpu-usage): kind AlertPolicy" in line for line in lines)


def test_an_import_reports_a_window_without_a_ledger_period() -> None:
    assert any(
        "timeWindow 28d: no ledger period" in line
        for line in _import_lines("rolling_and_others.yaml", "foo")
    )


def test_an_import_reports_labels_alert_policies_and_foreign_annotations() -> None:
    lines = "\n".join(_import_lines("rolling_and_others.yaml", "foo"))
    assert "metadata.labels: not kept" in lines
    assert "spec.alertPolicies: not kept" in lines
    assert "metadata.annotations['fooimplementation.com/dashboard']: not kept" in lines


def test_an_import_reports_a_service_the_terms_do_not_name() -> None:
    assert any("spec.service 'foo'" in line for line in _import_lines("inline_ratio.yaml", "bar"))
    assert not any("spec.service" in line for line in _import_lines("inline_ratio.yaml", "foo"))


def test_an_import_reports_a_time_zone_other_than_the_agreements() -> None:
    imported = import_documents(fixture("inline_ratio.yaml"))
    assert any("calendar.timeZone Europe/Berlin" in item.what for item in imported.unmapped)


def test_an_sli_no_slo_refers_to_is_reported() -> None:
    documents = fixture("referenced_threshold.yaml")
    documents[1]["metadata"]["name"] = "unused"
    documents[2]["spec"]["indicator"] = {"metadata": {"name": "i"}, "spec": documents[1]["spec"]}
    del documents[2]["spec"]["indicatorRef"]
    imported = import_documents(documents, berlin_terms("foo"))
    assert any(
        item.where == "document 2 (SLI unused)" and "no SLO refers" in item.what
        for item in imported.unmapped
    )


def test_an_export_reports_each_ledger_only_field_with_the_annotation_keeping_it() -> None:
    lines = _export_lines()
    for expected in (
        "objective availability: label scope: kept in annotation sla-ledger.dev/label-scope",
        "objective availability: credit policy: kept in annotation sla-ledger.dev/credit-policy",
        "objective availability: termination right: kept in annotation "
        "sla-ledger.dev/termination-right-after",
        "objective api_latency: schedule (business hours): kept in annotation "
        "sla-ledger.dev/schedule",
        "objective api_latency: off-schedule target: kept in annotation "
        "sla-ledger.dev/off-schedule-target-percent",
        "objective errors: limit: kept in annotation sla-ledger.dev/limit",
        "objective leads: cumulative target: kept in annotation sla-ledger.dev/cumulative-target",
        "objective p1-resolution: case clock: kept in annotation sla-ledger.dev/case-clock",
        "objective odd-slices: slice seconds (not whole minutes): kept in annotation "
        "sla-ledger.dev/slice-seconds",
    ):
        assert f"not mapped: {expected}" in lines


def test_an_export_reports_terms_level_fields_and_exclusions_as_not_written() -> None:
    lines = "\n".join(_export_lines())
    assert "agreement: the fee (fee): terms-level, not written" in lines
    assert "agreement: services: spec.service names the first; not: search" in lines
    assert "agreement: 2 exclusion(s) recorded: not written" in lines


def test_an_export_reports_a_target_of_100_as_outside_openslos_range() -> None:
    assert any("objective odd-slices: target 100 is outside" in line for line in _export_lines())


def test_terms_with_only_mappable_objectives_export_without_a_report() -> None:
    agreement = berlin_terms("api")
    agreement.objectives.add(objective_id="a", metric="a", target_percent="99", period=3)
    assert export_terms(agreement).unmapped == []
