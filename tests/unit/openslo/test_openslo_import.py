"""How OpenSLO v1 documents become ledger objectives (docs/openslo.md, the import table)."""

from __future__ import annotations

from interchange.openslo_import import import_documents
from service.generated.sla.ledger.v1 import terms_pb2 as terms
from tests.unit.openslo.openslo_samples import berlin_terms, fixture


def _only(name: str) -> terms.Objective:
    (objective,) = import_documents(fixture(name), berlin_terms("foo")).terms.objectives
    return objective


def test_an_inline_ratio_sli_is_a_ratio_objective_named_for_the_slo() -> None:
    objective = _only("inline_ratio.yaml")
    assert (objective.objective_id, objective.indicator) == ("foo-slo", terms.INDICATOR_RATIO)


def test_the_slis_display_name_is_the_objectives_metric() -> None:
    assert _only("inline_ratio.yaml").metric == "Foo Error"


def test_a_target_as_a_fraction_is_a_target_percent() -> None:
    assert _only("inline_ratio.yaml").target_percent == "98"


def test_a_calendar_month_window_is_a_monthly_period() -> None:
    assert _only("inline_ratio.yaml").period == terms.PERIOD_UNIT_MONTH


def test_the_slos_description_is_the_objectives() -> None:
    assert _only("inline_ratio.yaml").description == "Share of HTTP requests answered with a 200"


def test_a_referenced_threshold_sli_is_a_threshold_objective_with_its_comparison() -> None:
    objective = _only("referenced_threshold.yaml")
    assert objective.indicator == terms.INDICATOR_THRESHOLD
    assert (objective.threshold.comparison, objective.threshold.value) == (
        terms.COMPARISON_LTE,
        "0.5",
    )
    assert (objective.target_percent, objective.period) == ("99", terms.PERIOD_UNIT_WEEK)


def test_timeslices_are_a_time_slice_objective_with_its_slice_and_slice_target() -> None:
    objective = _only("timeslices.yaml")
    assert objective.indicator == terms.INDICATOR_TIME_SLICES
    assert (objective.slice_seconds, objective.slice_good_percent) == (300, "95")
    assert (objective.target_percent, objective.period) == ("99.5", terms.PERIOD_UNIT_QUARTER)


def test_each_objective_of_an_slo_is_an_objective_of_its_own() -> None:
    imported = import_documents(fixture("rolling_and_others.yaml"), berlin_terms("foo"))
    assert [(o.objective_id, o.target_percent) for o in imported.terms.objectives] == [
        ("foo-availability", "99.9"),
        ("foo-availability-2", "99"),
    ]


def test_a_rolling_window_without_a_ledger_period_leaves_the_period_unset() -> None:
    imported = import_documents(fixture("rolling_and_others.yaml"), berlin_terms("foo"))
    assert {o.period for o in imported.terms.objectives} == {terms.PERIOD_UNIT_UNSPECIFIED}


def _slo(window: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "daily"},
        "spec": {
            "indicatorRef": "x",
            "timeWindow": [window],
            "budgetingMethod": "Occurrences",
            "objectives": [{"targetPercent": 99}],
        },
    }


_SLI = {
    "apiVersion": "openslo/v1",
    "kind": "SLI",
    "metadata": {"name": "x"},
    "spec": {"ratioMetric": {"raw": {"metricSource": {"type": "P"}}, "rawType": "success"}},
}


def test_a_rolling_day_is_taken_as_the_calendar_day_and_reported() -> None:
    imported = import_documents([_SLI, _slo({"duration": "1d", "isRolling": True})])
    assert imported.terms.objectives[0].period == terms.PERIOD_UNIT_DAY
    assert any("rolling window 1d" in item.what for item in imported.unmapped)


def _timeslices(window: object) -> list[dict[str, object]]:
    documents = fixture("timeslices.yaml")
    documents[0]["spec"]["objectives"][0]["timeSliceWindow"] = window
    return documents


def test_a_bare_number_slice_window_is_minutes() -> None:
    (objective,) = import_documents(_timeslices(5), berlin_terms("foo")).terms.objectives
    assert objective.slice_seconds == 300


def test_a_one_minute_slice_window_is_the_default_slice() -> None:
    (objective,) = import_documents(_timeslices("1m"), berlin_terms("foo")).terms.objectives
    assert objective.slice_seconds == 0


def test_a_slice_window_longer_than_a_day_is_reported_and_not_kept() -> None:
    imported = import_documents(_timeslices("2d"), berlin_terms("foo"))
    assert imported.terms.objectives[0].slice_seconds == 0
    assert any("the ledger's slices are 1 s to 1 d" in item.what for item in imported.unmapped)
