"""The case events in the public schema: a recorded milestone and a clock warning as
ListEvents and SubscribeEvents show them."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded
from domain.identifiers import case_stream, case_warning_stream
from projections.log_source import LoggedEvent
from service.api.event_encoder import LedgerEventEncoder
from service.api.mapping.events import logged_event_to_proto
from service.generated.sla.ledger.v1 import cases_pb2, events_pb2, terms_pb2

RECORDED_AT = datetime(2026, 6, 1, tzinfo=UTC)
OPENED_US = 1_780_000_000_123_456
DUE_US = OPENED_US + 4 * 3600 * 1_000_000


def _paused() -> CaseMilestoneRecorded:
    return CaseMilestoneRecorded(
        originator_id=case_stream("sla-1", "T-1"),
        originator_version=2,
        timestamp=RECORDED_AT,
        agreement_id="sla-1",
        case_id="T-1",
        kind="paused",
        occurred_at_us=OPENED_US,
        milestone_id="m-2",
        labels=None,
        reason="awaiting_third_party",
        late=True,
    )


def _warned() -> CaseClockWarned:
    return CaseClockWarned(
        originator_id=case_warning_stream("sla-1", "T-1"),
        originator_version=1,
        timestamp=RECORDED_AT,
        agreement_id="sla-1",
        case_id="T-1",
        objective_id="p1-resolution",
        warning="breached",
        reached_at_us=DUE_US,
        due_at_us=DUE_US,
        terms_version=2,
    )


def test_a_recorded_milestone_maps_to_its_public_milestone() -> None:
    message = logged_event_to_proto(LoggedEvent(9, _paused()))

    expected = cases_pb2.CaseMilestone(
        case_id="T-1",
        milestone_id="m-2",
        kind=cases_pb2.MILESTONE_KIND_PAUSED,
        pause_reason=terms_pb2.PAUSE_REASON_AWAITING_THIRD_PARTY,
    )
    expected.occurred_at.FromMicroseconds(OPENED_US)
    assert message.case_milestone_recorded == events_pb2.CaseMilestoneRecorded(
        milestone=expected, late=True
    )
    assert (message.agreement_id, message.position) == ("sla-1", 9)


def test_an_opened_milestone_carries_its_labels() -> None:
    opened = CaseMilestoneRecorded(
        originator_id=case_stream("sla-1", "T-1"),
        originator_version=1,
        timestamp=RECORDED_AT,
        agreement_id="sla-1",
        case_id="T-1",
        kind="opened",
        occurred_at_us=OPENED_US,
        milestone_id="",
        labels={"priority": "P1"},
        reason="",
    )

    milestone = logged_event_to_proto(LoggedEvent(1, opened)).case_milestone_recorded.milestone

    assert dict(milestone.labels) == {"priority": "P1"}
    assert milestone.pause_reason == terms_pb2.PAUSE_REASON_UNSPECIFIED


def test_a_clock_warning_maps_with_its_instants_and_terms_version() -> None:
    warned = logged_event_to_proto(LoggedEvent(12, _warned())).case_clock_warned

    assert warned.warning == cases_pb2.CASE_WARNING_BREACHED
    assert warned.reached_at.ToMicroseconds() == warned.due_at.ToMicroseconds() == DUE_US
    assert (warned.case_id, warned.objective_id, warned.terms_version) == (
        "T-1",
        "p1-resolution",
        2,
    )


def test_the_encoder_names_the_case_payloads_for_subscription_filters() -> None:
    encoder = LedgerEventEncoder()

    types = [encoder.encode(LoggedEvent(1, e)).event_type for e in (_paused(), _warned())]

    assert types == ["case_milestone_recorded", "case_clock_warned"]
