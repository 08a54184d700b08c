"""Events of disputes stored in 2026-12 still decode to the same facts.

stored_events_2026_12_disputes.json was written by the application itself on a SQLite file
(tests/integration/dispute_histories.py: April closed as met; Globex disputed April's result on
3 May 09:00 UTC, knowing the log up to position 32; a late reading on 4 May; upheld on 5 May
09:00 with the recalculation's 3 compensations) and copied from its events table in log order,
the dispute's stream only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.disputes import Dispute, DisputeSubject, Outcome, SubjectKind, dispute_record
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.generated.sla.ledger.v1 import disputes_pb2
from tests.integration.stored_fixtures import decode_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events_2026_12_disputes.json"


@pytest.fixture(scope="module")
def dispute_events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("disputes") / "ledger.sqlite3"
    return decode_fixture(FIXTURE, database)


def test_every_stored_dispute_event_type_of_2026_12_still_decodes(
    dispute_events: list[Any],
) -> None:
    assert [type(event) for event in dispute_events] == [Dispute.Opened, Dispute.Resolved]


def test_a_stored_opening_keeps_its_subject_reason_and_the_position_it_knew(
    dispute_events: list[Any],
) -> None:
    opened = dispute_events[0]

    assert (opened.agreement_id, opened.dispute_id, opened.customer_id) == (
        "acme-2026",
        "d-1",
        "globex",
    )
    assert (opened.subject_kind, opened.objective_id, opened.period_label) == (
        "period_result",
        "availability",
        "2026-04",
    )
    assert (opened.log_position, opened.timestamp) == (32, datetime(2026, 5, 3, 9, tzinfo=UTC))


def test_a_stored_resolution_keeps_its_outcome_and_compensation_count(
    dispute_events: list[Any],
) -> None:
    resolved = dispute_events[1]

    assert (resolved.outcome, resolved.reason, resolved.log_position) == (
        "upheld",
        "the outage is real",
        34,
    )
    assert resolved.compensation_count == 3


def test_stored_dispute_events_fold_into_the_same_record(dispute_events: list[Any]) -> None:
    record = dispute_record([(33, dispute_events[0]), (35, dispute_events[1])])

    assert record is not None
    assert record.subject == DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-04")
    assert (record.outcome, record.version, record.resolved_position) == (Outcome.UPHELD, 2, 35)


def test_stored_dispute_events_map_to_their_public_payloads(dispute_events: list[Any]) -> None:
    opened, resolved = (
        logged_event_to_proto(LoggedEvent(position, event))
        for position, event in zip((33, 35), dispute_events, strict=True)
    )

    assert opened.dispute_opened.subject.kind == disputes_pb2.DISPUTE_SUBJECT_KIND_PERIOD_RESULT
    assert opened.dispute_opened.log_position == 32
    assert resolved.dispute_resolved.outcome == disputes_pb2.DISPUTE_OUTCOME_UPHELD
    assert resolved.dispute_resolved.dispute_id == "d-1"
