"""The terms of a service SLA: tiers, no customer, objectives in tiers; amendments keep it so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.agreement import Agreement
from domain.errors import FieldViolation, InvalidArgumentError
from domain.objectives import CaseClock, ClockStop, Indicator, ObjectiveRules
from domain.terms import MAX_TIERS, AgreementKind, Party, Tier
from tests.unit.worked_examples.builders import APR, DAY, objective, terms
from tests.unit.worked_examples.service_builders import BASIC, PREMIUM, service_terms


def fields_of(found: list[FieldViolation]) -> list[str]:
    return [v.field for v in found]


def test_a_service_sla_with_two_tiers_is_valid() -> None:
    assert service_terms().violations() == []


def test_a_service_sla_judges_the_objectives_of_every_tier() -> None:
    judged = service_terms().judged_objectives()

    assert [(o.objective_id, o.target_percent) for o in judged] == [
        ("availability", Decimal("99.0")),
        ("availability", Decimal("99.9")),
    ]


def test_tiers_belong_only_to_a_service_based_agreement() -> None:
    found = replace(service_terms(), kind=AgreementKind.CUSTOMER_BASED).violations()

    assert fields_of(found) == ["terms.kind"]


def test_a_service_sla_names_no_customer() -> None:
    found = replace(service_terms(), customer=Party("globex")).violations()

    assert fields_of(found) == ["terms.customer"]


def test_a_service_sla_keeps_its_objectives_in_its_tiers() -> None:
    found = replace(service_terms(), objectives=(objective(),)).violations()

    assert fields_of(found) == ["terms.objectives"]


def test_tier_ids_are_unique() -> None:
    found = service_terms(BASIC, BASIC).violations()

    assert fields_of(found) == ["terms.tiers[1].tier_id"]


def test_a_tier_id_is_an_identifier() -> None:
    found = service_terms(replace(BASIC, tier_id="has space")).violations()

    assert fields_of(found) == ["terms.tiers[0].tier_id"]


def test_a_tier_needs_an_objective() -> None:
    found = service_terms(replace(BASIC, objectives=())).violations()

    assert fields_of(found) == ["terms.tiers[0].objectives"]


def test_at_most_twenty_tiers() -> None:
    many = tuple(replace(BASIC, tier_id=f"t{n}") for n in range(MAX_TIERS + 1))

    assert "terms.tiers" in fields_of(service_terms(*many).violations())


def test_an_objective_in_two_tiers_measures_the_same_indicator_in_both() -> None:
    counted = objective(rules=ObjectiveRules(indicator=Indicator.TIME_SLICES))
    found = service_terms(BASIC, replace(PREMIUM, objectives=(counted,))).violations()

    assert fields_of(found) == ["terms.tiers[1].objectives[0]"]


def test_a_tier_cannot_hold_a_case_objective() -> None:
    clock = CaseClock(ClockStop.RESOLUTION, 3600)
    case_objective = objective("resolution", target="95", rules=ObjectiveRules(case_clock=clock))
    found = service_terms(replace(BASIC, objectives=(case_objective,))).violations()

    assert fields_of(found) == ["terms.tiers[0].objectives[0].case_clock"]


def test_a_service_based_agreement_without_tiers_keeps_its_one_customer() -> None:
    assert terms(objective(), kind=AgreementKind.SERVICE_BASED).violations() == []


def signed_service() -> Agreement:
    return Agreement.sign("svc", service_terms(), APR - DAY, recorded_at=APR - DAY)


def test_an_amendment_cannot_take_the_tiers_away() -> None:
    service = signed_service()
    no_tiers = replace(terms(objective(), kind=AgreementKind.SERVICE_BASED), customer=Party(""))

    with pytest.raises(InvalidArgumentError) as refused:
        service.amend(no_tiers, APR, False, "", APR)

    assert "terms.tiers" in [v.field for v in refused.value.violations]


def test_an_amendment_may_add_a_tier() -> None:
    service = signed_service()
    gold = Tier("gold", "Gold", (objective(target="99.99"),))

    service.amend(
        service_terms(BASIC, PREMIUM, gold), datetime(2026, 5, 1, tzinfo=UTC), False, "", APR
    )

    assert service.current_terms.terms.tier("gold") == gold


def test_an_exclusion_of_one_subscriber_is_known_by_the_objective_ids_of_the_tiers() -> None:
    assert signed_service().objective_ids == ("availability",)
