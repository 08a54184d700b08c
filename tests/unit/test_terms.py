"""AgreementTerms.violations(): every invariant of the terms, named by its field path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.money import Money
from domain.terms import AgreementTerms, Fee, Objective, Party, PeriodUnit, is_time_zone

MakeTerms = Callable[..., AgreementTerms]
MakeObjective = Callable[..., Objective]

TERM_START = datetime(2024, 1, 1, tzinfo=UTC)


def fields_of(terms: AgreementTerms, prefix: str = "terms") -> list[str]:
    return [violation.field for violation in terms.violations(prefix)]


def test_valid_terms_have_no_violations(make_terms: MakeTerms) -> None:
    assert make_terms().violations() == []


def test_field_paths_start_with_the_given_prefix(make_terms: MakeTerms) -> None:
    terms = make_terms(services=())

    assert fields_of(terms, prefix="request.terms") == ["request.terms.services"]


@pytest.mark.parametrize("party_id", ["", "has space", "slash/ed", "x" * 129])
def test_a_malformed_provider_id_is_refused(make_terms: MakeTerms, party_id: str) -> None:
    terms = make_terms(provider=Party(party_id))

    assert fields_of(terms) == ["terms.provider.party_id"]


@pytest.mark.parametrize("party_id", ["", "ümlaut", "a:b"])
def test_a_malformed_customer_id_is_refused(make_terms: MakeTerms, party_id: str) -> None:
    terms = make_terms(customer=Party(party_id))

    assert fields_of(terms) == ["terms.customer.party_id"]


def test_an_overlong_display_name_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(customer=Party("globex", "G" * 257))

    assert fields_of(terms) == ["terms.customer.display_name"]


def test_terms_without_services_are_refused(make_terms: MakeTerms) -> None:
    assert fields_of(make_terms(services=())) == ["terms.services"]


def test_duplicate_services_are_refused(make_terms: MakeTerms) -> None:
    assert fields_of(make_terms(services=("compute", "compute"))) == ["terms.services"]


def test_a_blank_service_name_is_refused_at_its_index(make_terms: MakeTerms) -> None:
    assert fields_of(make_terms(services=("compute", "  "))) == ["terms.services[1]"]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "../etc", "", "/etc/localtime"])
def test_a_name_outside_the_iana_database_is_refused_as_time_zone(
    make_terms: MakeTerms, zone: str
) -> None:
    assert fields_of(make_terms(time_zone=zone)) == ["terms.time_zone"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC"])
def test_an_iana_zone_is_accepted_as_time_zone(make_terms: MakeTerms, zone: str) -> None:
    assert fields_of(make_terms(time_zone=zone)) == []


@pytest.mark.parametrize("zone", ["Europe/../Europe/Berlin", "Europe", "Europe/Berlin/"])
def test_a_path_that_only_leads_to_a_zone_file_is_not_a_time_zone(zone: str) -> None:
    assert not is_time_zone(zone)


def test_a_negative_fee_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(fee=Fee(Money(Decimal("-1.00"), "EUR"), PeriodUnit.MONTH))

    assert fields_of(terms) == ["terms.fee.amount.amount"]


def test_a_fee_with_too_many_decimals_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(fee=Fee(Money(Decimal("10.001"), "EUR"), PeriodUnit.MONTH))

    assert fields_of(terms) == ["terms.fee.amount.amount"]


def test_a_fee_in_an_unknown_currency_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(fee=Fee(Money(Decimal("10.00"), "XYZ"), PeriodUnit.MONTH))

    assert fields_of(terms) == ["terms.fee.amount.currency_code"]


def test_a_term_ending_before_it_starts_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(term_start=TERM_START, term_end=TERM_START - timedelta(days=1))

    assert fields_of(terms) == ["terms.term_end"]


def test_a_term_ending_the_instant_it_starts_is_refused(make_terms: MakeTerms) -> None:
    terms = make_terms(term_start=TERM_START, term_end=TERM_START)

    assert fields_of(terms) == ["terms.term_end"]


def test_a_term_ending_after_it_starts_is_accepted(make_terms: MakeTerms) -> None:
    terms = make_terms(term_start=TERM_START, term_end=TERM_START + timedelta(days=365))

    assert fields_of(terms) == []


def test_terms_without_objectives_are_refused(make_terms: MakeTerms) -> None:
    assert fields_of(make_terms(objectives=())) == ["terms.objectives"]


def test_a_repeated_objective_id_is_refused_at_the_repeat(
    make_terms: MakeTerms, make_objective: MakeObjective
) -> None:
    terms = make_terms(
        objectives=(
            make_objective(objective_id="uptime"),
            make_objective(objective_id="latency"),
            make_objective(objective_id="uptime"),
        )
    )

    assert fields_of(terms) == ["terms.objectives[2].objective_id"]


def test_a_malformed_objective_id_is_refused(
    make_terms: MakeTerms, make_objective: MakeObjective
) -> None:
    terms = make_terms(objectives=(make_objective(objective_id="no spaces please"),))

    assert fields_of(terms) == ["terms.objectives[0].objective_id"]


def test_a_blank_metric_is_refused(make_terms: MakeTerms, make_objective: MakeObjective) -> None:
    terms = make_terms(objectives=(make_objective(metric=" "),))

    assert fields_of(terms) == ["terms.objectives[0].metric"]


@pytest.mark.parametrize("target", ["0", "-1", "100.5", "NaN", "Infinity"])
def test_a_target_outside_zero_exclusive_to_hundred_is_refused(
    make_terms: MakeTerms, make_objective: MakeObjective, target: str
) -> None:
    terms = make_terms(objectives=(make_objective(target_percent=Decimal(target)),))

    assert fields_of(terms) == ["terms.objectives[0].target_percent"]


@pytest.mark.parametrize("target", ["100", "99.95", "0.001"])
def test_a_target_above_zero_and_at_most_hundred_is_accepted(
    make_terms: MakeTerms, make_objective: MakeObjective, target: str
) -> None:
    terms = make_terms(objectives=(make_objective(target_percent=Decimal(target)),))

    assert fields_of(terms) == []


def test_every_broken_rule_is_reported_at_once(make_terms: MakeTerms) -> None:
    terms = make_terms(provider=Party(""), services=(), time_zone="Mars/Olympus", objectives=())

    assert fields_of(terms) == [
        "terms.provider.party_id",
        "terms.services",
        "terms.time_zone",
        "terms.objectives",
    ]


def test_services_given_as_a_list_are_held_as_a_tuple(make_terms: MakeTerms) -> None:
    services: Any = ["compute", "storage"]

    assert make_terms(services=services).services == ("compute", "storage")


def test_objectives_given_as_a_list_are_held_as_a_tuple(
    make_terms: MakeTerms, make_objective: MakeObjective
) -> None:
    objective = make_objective()
    objectives: Any = [objective]

    assert make_terms(objectives=objectives).objectives == (objective,)


def test_an_objective_is_found_by_its_id(
    make_terms: MakeTerms, make_objective: MakeObjective
) -> None:
    latency = make_objective(objective_id="latency")
    terms = make_terms(objectives=(make_objective(), latency))

    assert terms.objective("latency") is latency


def test_an_unknown_objective_id_finds_nothing(make_terms: MakeTerms) -> None:
    assert make_terms().objective("missing") is None
