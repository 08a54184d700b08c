"""The ledger's own SLOs (docs/operations/slos.yaml, OpenSLO v1) import as objectives, what the
ledger cannot judge of them reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interchange.openslo_import import Imported, import_documents
from interchange.yaml_io import load_documents

SLOS = Path(__file__).resolve().parents[3] / "docs" / "operations" / "slos.yaml"


def _slos() -> tuple[list[Any], Imported]:
    documents = load_documents(SLOS.read_bytes())
    return [d for d in documents if d.get("kind") == "SLO"], import_documents(documents)


def test_the_ledgers_own_slos_import_as_one_objective_per_slo_objective() -> None:
    slos, imported = _slos()
    assert slos
    expected = sum(len(slo["spec"]["objectives"]) for slo in slos)
    assert len(imported.terms.objectives) == expected


def test_the_ledgers_own_slos_windows_without_a_ledger_period_are_reported() -> None:
    slos, imported = _slos()
    durations = {slo["metadata"]["name"]: slo["spec"]["timeWindow"][0]["duration"] for slo in slos}
    reported = {
        name
        for name, duration in durations.items()
        for item in imported.unmapped
        if f"SLO {name})" in item.where and f"timeWindow {duration}: no ledger period" in item.what
    }
    unperiodic = {o.objective_id for o in imported.terms.objectives if not o.period}
    assert reported == unperiodic
