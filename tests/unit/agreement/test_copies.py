"""Copies of an agreement (the repository hands out a deep copy of its cached one per read)."""

from __future__ import annotations

import copy
from datetime import timedelta

from domain.exclusions import Exclusion, ExclusionKind
from tests.unit.worked_examples.builders import APR
from tests.unit.worked_examples.service_builders import ServiceHistory

OUTAGE = Exclusion("x1", APR, APR + timedelta(hours=1), ExclusionKind.OTHER, "maintenance")


def test_changing_a_copy_of_an_agreement_leaves_the_original_as_it_was() -> None:
    original = ServiceHistory().service
    duplicate = copy.deepcopy(original)

    duplicate.amend(original.current_terms.terms, APR, False, "", APR)
    duplicate.record_exclusion(OUTAGE, APR)
    duplicate.terminate(APR + timedelta(days=40), "", APR)

    assert len(original.terms_versions) == 1
    assert original.exclusions == []
    assert original.termination is None


def test_a_copy_of_an_agreement_shares_its_immutable_terms_and_exclusions() -> None:
    original = ServiceHistory().service
    original.record_exclusion(OUTAGE, APR)

    duplicate = copy.deepcopy(original)

    assert duplicate.terms_versions is not original.terms_versions
    assert duplicate.terms_versions[0] is original.terms_versions[0]
    assert duplicate.exclusions[0] is original.exclusions[0]
