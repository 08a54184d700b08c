"""The agreement directory's summaries (domain/agreement_directory.py): what an agreement looks
like at as_of, which filters it passes, and the oracle's answer as known at known_at.

Given sla-1 signed 2023-12-01T12:00Z for a term from 2024-01-01 (services compute and storage),
amended from 2024-03-01 (recorded 2024-02-01) to cover compute only, terminated from
2024-06-01 (recorded 2024-03-01).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.agreement import Agreement
from domain.agreement_directory import DirectoryFilter, directory_oracle, matches, summary_at
from domain.terms import AgreementKind, Party
from tests.unit.agreement.timeline import (
    DAY,
    FEBRUARY,
    JUNE,
    MARCH,
    SECOND,
    SIGN_RECORDED_AT,
    SIGNED_AT,
    TERM_START,
    Collect,
    MakeTerms,
    Replay,
)

APRIL = datetime(2024, 4, 1, tzinfo=UTC)


@pytest.fixture
def history(
    signed: list[Agreement.Event], replay: Replay, collect: Collect, make_terms: MakeTerms
) -> list[Agreement.Event]:
    """The amendment to compute only and the termination, after the signing."""
    agreement = replay(signed)
    compute_only = make_terms(term_start=TERM_START, services=("compute",))
    agreement.amend(compute_only, MARCH, False, reason="scope", recorded_at=FEBRUARY)
    agreement.terminate(JUNE, reason="end of term", recorded_at=MARCH)
    return signed + collect(agreement)


def test_an_agreement_has_no_summary_before_it_was_signed(
    history: list[Agreement.Event], replay: Replay
) -> None:
    assert summary_at(replay(history), SIGNED_AT - SECOND) is None


def test_before_its_term_starts_it_shows_its_first_terms_active(
    history: list[Agreement.Event], replay: Replay
) -> None:
    summary = summary_at(replay(history), TERM_START - DAY)

    assert summary is not None
    assert (summary.terms_version, summary.services, summary.terminated) == (
        1,
        ("compute", "storage"),
        False,
    )
    assert (summary.signed_recorded_at, summary.terminated_at) == (SIGN_RECORDED_AT, JUNE)


def test_from_the_amendment_s_effective_instant_it_shows_the_new_terms(
    history: list[Agreement.Event], replay: Replay
) -> None:
    summary = summary_at(replay(history), MARCH)

    assert summary is not None
    assert (summary.terms_version, summary.services) == (2, ("compute",))


def test_from_the_termination_s_effective_instant_it_is_terminated(
    history: list[Agreement.Event], replay: Replay
) -> None:
    before, at = summary_at(replay(history), JUNE - SECOND), summary_at(replay(history), JUNE)

    assert before is not None and at is not None
    assert (before.terminated, at.terminated) == (False, True)


def test_its_customer_and_provider_are_the_terms_parties(
    history: list[Agreement.Event], replay: Replay
) -> None:
    summary = summary_at(replay(history), APRIL)

    assert summary is not None
    assert (summary.customer, summary.provider.party_id, summary.kind) == (
        Party("globex", "Globex Corporation"),
        "acme-cloud",
        AgreementKind.CUSTOMER_BASED,
    )
    assert summary.objective_ids == ("availability", "latency-p99")


@pytest.mark.parametrize(
    ("where", "kept"),
    [
        (DirectoryFilter(customer_id="globex"), True),
        (DirectoryFilter(customer_id="initech"), False),
        (DirectoryFilter(customer_id="initech", provider_id="acme-cloud"), False),
        (DirectoryFilter(service="compute"), True),
        (DirectoryFilter(service="storage"), False),
        (DirectoryFilter(kind=AgreementKind.INTERNAL), False),
        (DirectoryFilter(terminated=False), True),
        (DirectoryFilter(terminated=True), False),
    ],
)
def test_every_filter_given_must_match_at_as_of(
    history: list[Agreement.Event], replay: Replay, where: DirectoryFilter, kept: bool
) -> None:
    summary = summary_at(replay(history), APRIL)

    assert summary is not None
    assert matches(summary, where, frozenset()) is kept


def test_a_subscriber_matches_a_customer_filter(
    history: list[Agreement.Event], replay: Replay
) -> None:
    summary = summary_at(replay(history), APRIL)

    assert summary is not None
    assert matches(summary, DirectoryFilter(customer_id="initech"), frozenset({"initech"}))


def test_the_oracle_knows_only_what_was_recorded_by_known_at(
    history: list[Agreement.Event],
) -> None:
    before_amendment = directory_oracle([history], [], DirectoryFilter(), APRIL, FEBRUARY - SECOND)
    after_it = directory_oracle([history], [], DirectoryFilter(), APRIL, FEBRUARY)
    before_recorded = directory_oracle([history], [], DirectoryFilter(), APRIL, SIGNED_AT)

    assert [s.services for s in before_amendment] == [("compute", "storage")]
    assert [s.terminated_at for s in before_amendment] == [None]
    assert [s.services for s in after_it] == [("compute",)]
    assert before_recorded == []
