"""Documents that are not OpenSLO v1, and hostile YAML, are refused with the document and the
path named; nothing is half-imported."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from interchange.openslo_documents import DocumentError
from interchange.openslo_import import import_documents
from interchange.yaml_io import MAX_INPUT_BYTES, YamlInputError, load_documents
from tests.unit.openslo.openslo_samples import fixture


def _refusal(change: Callable[[dict[str, Any]], None]) -> str:
    documents = fixture("inline_ratio.yaml")
    change(documents[0])
    with pytest.raises(DocumentError) as refused:
        import_documents(documents)
    return str(refused.value)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            document = document[key[:-2]][0] if key.endswith("[]") else document[key]
        document[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            document = document[key]
        del document[last]

    return change


def test_another_api_version_is_refused() -> None:
    assert _refusal(_set("apiVersion", "openslo/v1alpha")) == (
        "document 1 (SLO foo-slo): apiVersion: 'openslo/v1alpha' is not openslo/v1"
    )


def test_an_unknown_kind_is_refused() -> None:
    assert "document 1 (Dashboard foo-slo): kind: 'Dashboard' is not one of" in _refusal(
        _set("kind", "Dashboard")
    )


def test_an_slo_without_a_budgeting_method_is_refused() -> None:
    assert _refusal(_drop("spec.budgetingMethod")) == (
        "document 1 (SLO foo-slo): spec.budgetingMethod: is required"
    )


def test_an_unknown_budgeting_method_is_refused() -> None:
    assert "spec.budgetingMethod: 'RatioTimeslices' is not" in _refusal(
        _set("spec.budgetingMethod", "RatioTimeslices")
    )


def test_a_target_given_both_ways_is_refused() -> None:
    def both(document: dict[str, Any]) -> None:
        document["spec"]["objectives"][0]["targetPercent"] = 98

    assert _refusal(both).endswith(
        "spec.objectives[0]: give exactly one of target and targetPercent"
    )


def test_a_target_that_is_not_a_number_is_refused() -> None:
    def words(document: dict[str, Any]) -> None:
        document["spec"]["objectives"][0]["target"] = "high"

    assert _refusal(words).endswith("spec.objectives[0].target: must be a number, not a string")


def test_a_target_above_one_is_refused() -> None:
    def above(document: dict[str, Any]) -> None:
        document["spec"]["objectives"][0]["target"] = 98

    assert _refusal(above).endswith("spec.objectives[0].target: 98 is outside 0 to 1")


def test_an_indicator_ref_naming_no_sli_is_refused() -> None:
    def reference(document: dict[str, Any]) -> None:
        del document["spec"]["indicator"]
        document["spec"]["indicatorRef"] = "missing"

    assert _refusal(reference).endswith("spec.indicatorRef: no SLI document is named 'missing'")


def test_an_sli_with_both_metrics_is_refused() -> None:
    def both(document: dict[str, Any]) -> None:
        spec = document["spec"]["indicator"]["spec"]
        spec["thresholdMetric"] = copy.deepcopy(spec["ratioMetric"]["good"])

    assert _refusal(both).endswith(
        "spec.indicator.spec: give exactly one of thresholdMetric and ratioMetric"
    )


def test_a_ratio_with_good_and_bad_is_refused() -> None:
    def both(document: dict[str, Any]) -> None:
        ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
        ratio["bad"] = copy.deepcopy(ratio["good"])

    assert "spec.indicator.spec.ratioMetric: give total with exactly one of good and bad" in (
        _refusal(both)
    )


def test_two_time_windows_are_refused() -> None:
    def two(document: dict[str, Any]) -> None:
        document["spec"]["timeWindow"].append(copy.deepcopy(document["spec"]["timeWindow"][0]))

    assert _refusal(two).endswith("spec.timeWindow: must hold exactly one window")


def test_a_duration_that_is_not_a_shorthand_is_refused() -> None:
    assert "spec.timeWindow[0].duration: '1 month' is not a duration shorthand" in _refusal(
        _set("spec.timeWindow[].duration", "1 month")
    )


def test_a_list_where_a_mapping_belongs_is_refused() -> None:
    assert _refusal(_set("spec.indicator", ["ratio"])).endswith(
        "spec.indicator: must be a mapping, not a list"
    )


def test_a_non_string_annotation_is_refused() -> None:
    assert _refusal(_set("metadata.annotations", {"a/b": 3})).endswith(
        "metadata.annotations['a/b']: must be a string, not a number"
    )


def test_a_ledger_annotation_with_a_wrong_value_is_refused() -> None:
    refusal = _refusal(_set("metadata.annotations", {"sla-ledger.dev/limit": "many"}))
    assert "metadata.annotations['sla-ledger.dev/limit']: 'many' is not a whole number" in refusal


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"^document 1: the document: must be a mapping"):
        import_documents(["just a string"])


def _yaml_refusal(text: bytes) -> str:
    with pytest.raises(YamlInputError) as refused:
        load_documents(text)
    return str(refused.value)


def test_an_input_over_the_size_limit_is_refused_unread() -> None:
    assert "at most 1048576 are read" in _yaml_refusal(b"#" * (MAX_INPUT_BYTES + 1))


def test_an_alias_bomb_is_refused_at_its_first_alias() -> None:
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: &d [*c,*c]\n'
    assert _yaml_refusal(bomb) == "line 2: anchors and aliases are refused"


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    assert "nesting deeper than 64" in _yaml_refusal(b"[" * 10_000 + b"]" * 10_000)


def test_a_duplicate_key_is_refused() -> None:
    assert _yaml_refusal(b"kind: SLO\nkind: SLI\n") == "line 2: duplicate key 'kind'"


def test_a_python_tag_is_refused() -> None:
    assert "could not determine a constructor" in _yaml_refusal(b"!!python/object:os.system x\n")


def test_an_integer_too_long_to_convert_is_refused() -> None:
    assert _yaml_refusal(b"n: " + b"9" * 5000 + b"\n").startswith("not readable")


def test_bytes_that_are_not_utf8_are_refused() -> None:
    assert _yaml_refusal(b"kind: \xff\n") == "not UTF-8 (byte 6)"


def test_numbers_are_read_exactly() -> None:
    (document,) = load_documents(b"target: 0.1\nvalue: 0.250\n")
    assert [str(document["target"]), str(document["value"])] == ["0.1", "0.250"]


def test_dates_are_kept_as_written() -> None:
    (document,) = load_documents(b"startTime: 2020-01-21 12:30:00\n")
    assert document["startTime"] == "2020-01-21 12:30:00"


def test_a_control_character_is_refused() -> None:
    assert "special characters are not allowed" in _yaml_refusal(b"kind: \x00\n")
