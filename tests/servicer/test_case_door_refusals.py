"""RecordCaseEvents and GetCase refuse what is outside its documented range at the door,
naming every bad field by its path in the request, and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from domain.case_milestones import MAX_CASE_BATCH
from service.generated.sla.ledger.v1 import cases_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests.hostile_requests import YEAR_1

Fields = Callable[[str, Message], list[str]]
Invoke = Callable[[str, Message], Any]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
OPENED_AT = NOW - timedelta(hours=1)


@pytest.fixture
def refused_fields(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Fields:
    """The fields an INVALID_ARGUMENT refusal of a call names."""

    def fields(method: str, request: Message) -> list[str]:
        context = invoke_directly(method, request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


@pytest.fixture
def signed(invoke_ok: Invoke, sign_request: Callable[..., pb.SignAgreementRequest]) -> str:
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[build.case_objective()]))
    return "sla-cases"


def _opened(**fields: Any) -> cases_pb2.CaseMilestone:
    values: dict[str, Any] = {
        "case_id": "T-1",
        "kind": cases_pb2.MILESTONE_KIND_OPENED,
        "occurred_at": build.timestamp(OPENED_AT),
        "labels": {"priority": "P1"},
    }
    values.update(fields)
    return cases_pb2.CaseMilestone(**values)


def _batch(*milestones: cases_pb2.CaseMilestone) -> pb.RecordCaseEventsRequest:
    return pb.RecordCaseEventsRequest(agreement_id="sla-cases", milestones=milestones)


def test_an_empty_batch_is_refused_naming_milestones(refused_fields: Fields, signed: str) -> None:
    assert refused_fields("RecordCaseEvents", _batch()) == ["milestones"]


def test_a_batch_over_10000_milestones_is_refused_naming_milestones(
    refused_fields: Fields, signed: str
) -> None:
    request = _batch(*[_opened(case_id=f"T-{n}") for n in range(MAX_CASE_BATCH + 1)])

    assert refused_fields("RecordCaseEvents", request) == ["milestones"]


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"kind": cases_pb2.MILESTONE_KIND_UNSPECIFIED}, "kind"),
        ({"kind": 99}, "kind"),
        ({"case_id": ""}, "case_id"),
        ({"case_id": "bad id!"}, "case_id"),
        ({"milestone_id": "x" * 129}, "milestone_id"),
        ({"labels": {f"k{n}": "v" for n in range(17)}}, "labels"),
        ({"pause_reason": 9}, "pause_reason"),
        ({"pause_reason": terms_pb2.PAUSE_REASON_OTHER}, "pause_reason"),
    ],
)
def test_a_malformed_milestone_is_refused_naming_its_field(
    refused_fields: Fields, signed: str, fields: dict[str, Any], refused: str
) -> None:
    request = _batch(_opened(**fields))

    assert refused_fields("RecordCaseEvents", request) == [f"milestones[0].{refused}"]


def test_a_milestone_without_occurred_at_is_refused_naming_it(
    refused_fields: Fields, signed: str
) -> None:
    milestone = _opened()
    milestone.ClearField("occurred_at")

    fields = refused_fields("RecordCaseEvents", _batch(milestone))

    assert fields == ["milestones[0].occurred_at"]


@pytest.mark.parametrize("seconds", [YEAR_1, -1, 7_258_118_400])
def test_a_milestone_outside_the_range_of_instants_is_refused_naming_occurred_at(
    refused_fields: Fields, signed: str, seconds: int
) -> None:
    milestone = _opened()
    milestone.occurred_at.seconds = seconds

    fields = refused_fields("RecordCaseEvents", _batch(milestone))

    assert fields == ["milestones[0].occurred_at"]


def _later(**fields: Any) -> cases_pb2.CaseMilestone:
    return _opened(
        labels={}, occurred_at=build.timestamp(OPENED_AT + timedelta(minutes=5)), **fields
    )


def test_a_pause_without_a_reason_is_refused_naming_pause_reason(
    refused_fields: Fields, signed: str
) -> None:
    paused = _later(kind=cases_pb2.MILESTONE_KIND_PAUSED)

    fields = refused_fields("RecordCaseEvents", _batch(_opened(), paused))

    assert fields == ["milestones[1].pause_reason"]


def test_labels_on_a_resolution_are_refused_naming_labels(
    refused_fields: Fields, signed: str
) -> None:
    resolved = _later(kind=cases_pb2.MILESTONE_KIND_RESOLVED)
    resolved.labels["priority"] = "P2"

    fields = refused_fields("RecordCaseEvents", _batch(_opened(), resolved))

    assert fields == ["milestones[1].labels"]


def test_every_bad_milestone_of_a_batch_is_named_in_one_refusal(
    refused_fields: Fields, signed: str
) -> None:
    request = _batch(_opened(case_id=""), _opened(case_id="T-2"), _opened(kind=42))

    fields = refused_fields("RecordCaseEvents", request)

    assert fields == ["milestones[0].case_id", "milestones[2].kind"]


def test_a_resolution_before_the_opening_is_refused_naming_it(
    refused_fields: Fields, signed: str
) -> None:
    resolved = _opened(
        kind=cases_pb2.MILESTONE_KIND_RESOLVED,
        labels={},
        occurred_at=build.timestamp(OPENED_AT - timedelta(minutes=1)),
    )

    assert refused_fields("RecordCaseEvents", _batch(resolved, _opened())) == ["milestones[0]"]


def test_a_milestone_beyond_the_clock_skew_is_refused_naming_occurred_at(
    refused_fields: Fields, signed: str
) -> None:
    request = _batch(_opened(occurred_at=build.timestamp(NOW + timedelta(days=1))))

    assert refused_fields("RecordCaseEvents", request) == ["milestones[0].occurred_at"]


def test_a_refused_batch_writes_nothing(
    invoke: Invoke, signed: str, all_events: Callable[[str], list[Any]]
) -> None:
    before = len(all_events("sla-cases"))

    invoke("RecordCaseEvents", _batch(_opened(), _opened(case_id="T-2", kind=0)))

    assert len(all_events("sla-cases")) == before


@pytest.mark.parametrize("case_id", ["", "bad id!", "x" * 129])
def test_get_case_with_a_malformed_case_id_is_refused_naming_it(
    refused_fields: Fields, signed: str, case_id: str
) -> None:
    request = pb.GetCaseRequest(agreement_id="sla-cases", case_id=case_id)

    assert refused_fields("GetCase", request) == ["case_id"]


def test_get_case_as_of_late_in_year_9999_is_refused_naming_as_of(
    refused_fields: Fields, signed: str
) -> None:
    request = pb.GetCaseRequest(agreement_id="sla-cases", case_id="T-1")
    request.as_of.FromDatetime(datetime(9999, 12, 15, tzinfo=UTC))

    assert refused_fields("GetCase", request) == ["as_of"]


@pytest.mark.parametrize("position", [-1, 2**53 + 1])
def test_get_case_with_a_position_outside_0_to_2_to_the_53_is_refused(
    refused_fields: Fields, signed: str, position: int
) -> None:
    request = pb.GetCaseRequest(agreement_id="sla-cases", case_id="T-1", min_log_position=position)

    assert refused_fields("GetCase", request) == ["min_log_position"]


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"state": 9}, ["state"]),
        ({"objective_id": "bad id!"}, ["objective_id"]),
        ({"labels": {f"k{n}": "v" for n in range(17)}}, ["labels"]),
        ({"labels": {"": "v"}}, ["labels"]),
        ({"page_size": 1001}, ["page_size"]),
        ({"page_size": -1}, ["page_size"]),
        ({"opened_from": build.timestamp(datetime(1969, 12, 31, tzinfo=UTC))}, ["opened_from"]),
        ({"due_before": build.timestamp(datetime(2200, 1, 1, tzinfo=UTC))}, ["due_before"]),
        ({"state": -1, "page_size": 5000}, ["state", "page_size"]),
    ],
)
def test_a_case_listing_outside_its_ranges_is_refused_naming_every_field(
    refused_fields: Fields, signed: str, fields: dict[str, Any], refused: list[str]
) -> None:
    request = pb.ListCasesRequest(agreement_id="sla-cases", **fields)

    assert refused_fields("ListCases", request) == refused
