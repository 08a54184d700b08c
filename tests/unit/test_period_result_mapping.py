"""A closed period's result as ListPeriodResults and GetCompliance show it: its tracks final,
judged by the indicator of the terms version that judged the period (a cumulative KPI's target
line is its target: the whole period has elapsed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.objectives import Indicator, ObjectiveRules
from domain.period_history import judged_indicator, period_outcome
from domain.period_results import PeriodEvent
from domain.terms import AgreementKind
from service.api.mapping.period_history import outcome_to_proto
from service.generated.sla.ledger.v1 import compliance_pb2, terms_pb2
from tests.unit.worked_examples.builders import APR, MAY, History, objective, reading, terms, usd


def test_a_cumulative_kpis_closed_month_is_shown_final_with_its_target_as_target_line() -> None:
    leads = objective(
        "qualified-leads",
        target="0",
        rules=ObjectiveRules(indicator=Indicator.CUMULATIVE, cumulative_target=Decimal(100)),
    )
    history = History(terms(leads, fee=usd("10000.00"), kind=AgreementKind.INTERNAL))
    history.measure(
        [reading(APR + timedelta(hours=10 + 6 * n), 1, 1, "qualified-leads") for n in range(97)]
    )
    history.close(MAY)
    logged = [(i, e) for i, e in enumerate(history.events, 1) if isinstance(e, PeriodEvent)]
    outcome = period_outcome(logged, history.clock)
    assert outcome is not None

    shown = outcome_to_proto(outcome, "globex", judged_indicator(history.agreement, outcome), ())

    # 97 leads of a target of 100: breached, shortfall 3; the line at the month's end is 100.
    [track] = shown.tracks
    assert (track.indicator, track.final, track.attained, track.bad, track.target_line) == (
        terms_pb2.INDICATOR_CUMULATIVE,
        True,
        "97",
        "3",
        "100",
    )
    assert shown.status == compliance_pb2.COMPLIANCE_STATUS_BREACHED
