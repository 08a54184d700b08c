"""The background closer leaves newly recorded terms the close grace to receive their history.

Worked example (domain/automatic_closing.py), grace 1 hour: an agreement from 1 January 2026,
monthly availability in Europe/Berlin, recorded on 10 March 2026 at 10:00 UTC; an amendment
recorded on 20 March at 09:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory
from domain.automatic_closing import automatic_close_until
from domain.exclusions import Exclusion, ExclusionKind
from domain.period_walk import due_periods
from domain.terms import AgreementTerms

GRACE = timedelta(hours=1)
TERM_START = datetime(2026, 1, 1, tzinfo=UTC)
RECORDED = datetime(2026, 3, 10, 10, tzinfo=UTC)
AMENDED = datetime(2026, 3, 20, 9, tzinfo=UTC)


@pytest.fixture
def agreement(make_terms: Callable[..., AgreementTerms]) -> Agreement:
    terms = make_terms(term_start=TERM_START)
    return Agreement.sign("sla-1", terms, TERM_START, recorded_at=RECORDED)


def _amend(agreement: Agreement, make_terms: Callable[..., AgreementTerms]) -> None:
    terms = make_terms(term_start=TERM_START)
    agreement.amend(terms, AMENDED, retroactive=False, reason="", recorded_at=AMENDED)


def test_a_newly_recorded_agreement_is_not_closed_automatically_within_the_grace(
    agreement: Agreement,
) -> None:
    assert automatic_close_until(agreement, RECORDED + timedelta(minutes=30), GRACE) is None


def test_once_the_grace_has_passed_since_recording_periods_close_up_to_now_minus_grace(
    agreement: Agreement,
) -> None:
    now = RECORDED + GRACE

    until = automatic_close_until(agreement, now, GRACE)

    assert until == RECORDED
    assert until is not None
    due = {d.period.label for d in due_periods(AgreementHistory(agreement), until)}
    assert due == {"2026-01", "2026-02"}


def test_an_amendment_recorded_later_holds_the_agreement_again_for_the_grace(
    agreement: Agreement, make_terms: Callable[..., AgreementTerms]
) -> None:
    _amend(agreement, make_terms)

    held = automatic_close_until(agreement, AMENDED + timedelta(minutes=59), GRACE)
    released = automatic_close_until(agreement, AMENDED + GRACE, GRACE)

    assert (held, released) == (None, AMENDED)


def test_a_termination_or_an_exclusion_does_not_restart_the_wait(agreement: Agreement) -> None:
    later = RECORDED + timedelta(days=1)
    agreement.record_exclusion(
        Exclusion("maintenance-1", later, later + GRACE, ExclusionKind.OTHER, "maintenance"), later
    )
    agreement.terminate(later, "", later)

    assert automatic_close_until(agreement, later, GRACE) == later - GRACE


def test_without_a_grace_nothing_is_held(agreement: Agreement) -> None:
    assert automatic_close_until(agreement, RECORDED, timedelta(0)) == RECORDED
