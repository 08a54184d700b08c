"""The Dispute aggregate: given its events, when a command, then the events it appends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.disputes import (
    Dispute,
    DisputeOpened,
    DisputeResolved,
    DisputeSubject,
    Outcome,
    SubjectKind,
    dispute_record,
)
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.terms import MAX_TEXT_LENGTH

OPENED_AT = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)
RESOLVED_AT = OPENED_AT + timedelta(days=2)
APRIL = DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-04")
MAINTENANCE = DisputeSubject(SubjectKind.EXCLUSION, exclusion_id="maint-7")


def _open(subject: DisputeSubject = APRIL, **overrides: Any) -> Dispute:
    fields: dict[str, Any] = {
        "agreement_id": "acme-2026",
        "dispute_id": "d-1",
        "subject": subject,
        "customer_id": "globex",
        "reason": "the outage of 12 April was not maintenance",
        "evidence": "ticket INC-42",
        "log_position": 17,
        "recorded_at": OPENED_AT,
    }
    fields.update(overrides)
    return Dispute.open(**fields)


def _replayed(events: Iterable[Any]) -> Dispute:
    aggregate: Any = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Dispute)
    return aggregate


def _violated_fields(error: pytest.ExceptionInfo[InvalidArgumentError]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_opening_a_dispute_appends_one_dispute_opened_in_its_own_stream() -> None:
    events = _open().collect_events()

    [opened] = events
    assert isinstance(opened, DisputeOpened)
    assert (opened.originator_id, opened.originator_version) == (
        "agreement:acme-2026/dispute:d-1",
        1,
    )
    assert (opened.subject_kind, opened.objective_id, opened.period_label) == (
        "period_result",
        "availability",
        "2026-04",
    )


def test_the_opening_names_what_the_ledger_knew_when_it_was_opened() -> None:
    [opened] = _open(log_position=17).collect_events()

    assert isinstance(opened, DisputeOpened)
    assert (opened.log_position, opened.timestamp) == (17, OPENED_AT)


def test_a_dispute_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        _open(reason="   ")

    assert _violated_fields(refused) == ["reason"]


def test_every_bad_field_of_an_opening_is_named_in_one_refusal() -> None:
    bad = DisputeSubject(SubjectKind.PERIOD_RESULT, "", "2026-04", exclusion_id="x")
    with pytest.raises(InvalidArgumentError) as refused:
        _open(bad, dispute_id="no spaces", evidence="e" * (MAX_TEXT_LENGTH + 1))

    assert _violated_fields(refused) == [
        "dispute_id",
        "subject.objective_id",
        "subject.exclusion_id",
        "evidence",
    ]


def test_an_exclusion_dispute_names_the_exclusion_and_no_period() -> None:
    bad = DisputeSubject(SubjectKind.EXCLUSION, objective_id="availability")
    with pytest.raises(InvalidArgumentError) as refused:
        _open(bad)

    assert _violated_fields(refused) == ["subject.exclusion_id", "subject.objective_id"]


def test_resolving_an_open_dispute_appends_dispute_resolved_with_its_outcome() -> None:
    dispute = _replayed(_open(MAINTENANCE).collect_events())

    dispute.resolve(Outcome.UPHELD, "the maintenance was not announced", 30, RESOLVED_AT, 3)

    [resolved] = dispute.collect_events()
    assert isinstance(resolved, DisputeResolved)
    assert (resolved.originator_version, resolved.outcome, resolved.log_position) == (
        2,
        "upheld",
        30,
    )
    assert resolved.compensation_count == 3


def test_a_resolved_dispute_cannot_be_resolved_again() -> None:
    dispute = _replayed(_open().collect_events())
    dispute.resolve(Outcome.REJECTED, "the figures stand", 30, RESOLVED_AT)
    resolved = _replayed([*_open().collect_events(), *dispute.collect_events()])

    with pytest.raises(FailedPreconditionError, match="resolved already"):
        resolved.resolve(Outcome.UPHELD, "second thoughts", 31, RESOLVED_AT)


def test_a_resolution_without_a_reason_is_refused() -> None:
    dispute = _replayed(_open().collect_events())

    with pytest.raises(InvalidArgumentError) as refused:
        dispute.resolve(Outcome.UPHELD, "", 30, RESOLVED_AT)

    assert _violated_fields(refused) == ["reason"]


def test_the_record_of_a_dispute_folds_its_opening_and_resolution_with_their_positions() -> None:
    dispute = _replayed(_open().collect_events())
    dispute.resolve(Outcome.UPHELD, "agreed", 30, RESOLVED_AT, 2)
    events = [*_open().collect_events(), *dispute.collect_events()]

    record = dispute_record([(18, events[0]), (31, events[1])])  # type: ignore[list-item]

    assert record is not None
    assert (record.opened_position, record.opened_log_position) == (18, 17)
    assert (record.outcome, record.resolved_position, record.compensation_count) == (
        Outcome.UPHELD,
        31,
        2,
    )
    assert record.version == 2


def test_a_dispute_is_open_between_its_opening_and_its_resolution_as_known_then() -> None:
    dispute = _replayed(_open().collect_events())
    dispute.resolve(Outcome.REJECTED, "the figures stand", 30, RESOLVED_AT)
    events = [*_open().collect_events(), *dispute.collect_events()]
    record = dispute_record([(18, events[0]), (31, events[1])])  # type: ignore[list-item]

    assert record is not None
    assert [
        record.open_at(OPENED_AT - timedelta(microseconds=1)),
        record.open_at(OPENED_AT),
        record.open_at(RESOLVED_AT - timedelta(microseconds=1)),
        record.open_at(RESOLVED_AT),
    ] == [False, True, True, False]
