"""The ledger's own SLOs (docs/operations/slos.yaml, OpenSLO v1) import as objectives."""

from __future__ import annotations

from pathlib import Path

import pytest

from interchange.openslo_import import import_documents
from interchange.yaml_io import load_documents

SLOS = Path(__file__).resolve().parents[3] / "docs" / "operations" / "slos.yaml"


def test_the_ledgers_own_slos_import_as_one_objective_per_slo_objective() -> None:
    if not SLOS.is_file():
        pytest.skip("docs/operations/slos.yaml is not written yet (the metrics part)")
    documents = load_documents(SLOS.read_bytes())
    imported = import_documents(documents)
    slos = [document for document in documents if document.get("kind") == "SLO"]
    assert slos
    expected = sum(len(slo["spec"]["objectives"]) for slo in slos)
    assert len(imported.terms.objectives) == expected
