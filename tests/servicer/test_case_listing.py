"""ListCases through the servicer: an agreement's cases now, in case-id order, filtered and
paged.

The servicer's clock stands at 2026-06-01T00:00Z. P1 tickets are resolved within 4 hours, P2
within 8 (all hours); at risk past 75% of the target:
- T-1 (P1) opened 5 hours ago: breached an hour ago;
- T-2 (P1) opened 3.5 hours ago: at risk since half an hour ago, due in half an hour;
- T-3 (P1) opened an hour ago: running;
- T-4 (P2) opened an hour ago, resolved half an hour ago;
- T-5 (P1) opened 2 hours ago, waiting for the customer for the last hour: paused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import cases_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
ALL = ["T-1", "T-2", "T-3", "T-4", "T-5"]


def _at(kind: cases_pb2.MilestoneKind, case_id: str, ago: float, **fields: Any) -> Any:
    return cases_pb2.CaseMilestone(
        case_id=case_id, kind=kind, occurred_at=build.timestamp(NOW - ago * HOUR), **fields
    )


def _opened(case_id: str, ago: float, priority: str = "P1") -> Any:
    return _at(cases_pb2.MILESTONE_KIND_OPENED, case_id, ago, labels={"priority": priority})


@pytest.fixture
def desk(invoke_ok: Invoke, sign_request: Callable[..., pb.SignAgreementRequest]) -> str:
    objectives = [
        build.case_objective(),
        build.case_objective("p2-resolution", priority="P2", target_seconds=8 * 3600),
    ]
    invoke_ok("SignAgreement", sign_request("sla-desk", objectives=objectives))
    milestones = [
        _opened("T-1", 5),
        _opened("T-2", 3.5),
        _opened("T-3", 1),
        _opened("T-4", 1, "P2"),
        _at(cases_pb2.MILESTONE_KIND_RESOLVED, "T-4", 0.5),
        _opened("T-5", 2),
        _at(
            cases_pb2.MILESTONE_KIND_PAUSED,
            "T-5",
            1,
            pause_reason=terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER,
        ),
    ]
    invoke_ok(
        "RecordCaseEvents",
        pb.RecordCaseEventsRequest(agreement_id="sla-desk", milestones=milestones),
    )
    return "sla-desk"


def _ids(invoke_ok: Invoke, **fields: Any) -> list[str]:
    page = invoke_ok("ListCases", pb.ListCasesRequest(agreement_id="sla-desk", **fields))
    assert page.next_page_token == ""
    return [case.case_id for case in page.cases]


def test_every_case_is_listed_in_case_id_order(invoke_ok: Invoke, desk: str) -> None:
    assert _ids(invoke_ok) == ALL


def test_a_case_shows_its_state_labels_and_clocks_now(invoke_ok: Invoke, desk: str) -> None:
    page = invoke_ok("ListCases", pb.ListCasesRequest(agreement_id="sla-desk"))

    first = page.cases[0]
    assert first.state == cases_pb2.CASE_STATE_OPEN
    assert dict(first.labels) == {"priority": "P1"}
    assert first.opened_at.ToDatetime(tzinfo=UTC) == NOW - 5 * HOUR
    assert [(c.objective_id, c.state) for c in first.clocks] == [
        ("p1-resolution", cases_pb2.CLOCK_STATE_BREACHED)
    ]
    assert first.clocks[0].breached_at.ToDatetime(tzinfo=UTC) == NOW - HOUR


@pytest.mark.parametrize(
    ("fields", "listed"),
    [
        ({"state": cases_pb2.CASE_STATE_PAUSED}, ["T-5"]),
        ({"state": cases_pb2.CASE_STATE_RESOLVED}, ["T-4"]),
        ({"breached": True}, ["T-1"]),
        ({"at_risk": True}, ["T-2"]),
        ({"labels": {"priority": "P2"}}, ["T-4"]),
        ({"objective_id": "p1-resolution"}, ["T-1", "T-2", "T-3", "T-5"]),
        ({"objective_id": "p2-resolution", "breached": True}, []),
        ({"opened_from": build.timestamp(NOW - 2 * HOUR)}, ["T-3", "T-4", "T-5"]),
        ({"opened_before": build.timestamp(NOW - 2 * HOUR)}, ["T-1", "T-2"]),
        ({"due_before": build.timestamp(NOW)}, ["T-1"]),
        ({"due_from": build.timestamp(NOW), "due_before": build.timestamp(NOW + HOUR)}, ["T-2"]),
    ],
)
def test_a_filter_narrows_the_listing(
    invoke_ok: Invoke, desk: str, fields: dict[str, Any], listed: list[str]
) -> None:
    assert _ids(invoke_ok, **fields) == listed


def test_pages_follow_their_tokens_to_the_last_case(invoke_ok: Invoke, desk: str) -> None:
    pages: list[list[str]] = []
    token = ""
    while True:
        request = pb.ListCasesRequest(agreement_id="sla-desk", page_size=2, page_token=token)
        page = invoke_ok("ListCases", request)
        pages.append([case.case_id for case in page.cases])
        token = page.next_page_token
        if not token:
            break

    assert [case for page in pages for case in page] == ALL
    assert all(len(page) <= 2 for page in pages)


def test_a_token_of_another_agreement_is_refused_naming_page_token(
    invoke_ok: Invoke,
    desk: str,
    sign_request: Callable[..., pb.SignAgreementRequest],
    bad_request_fields: Callable[[Any], list[str]],
    invoke_directly: Callable[[str, Message], Any],
) -> None:
    first = invoke_ok("ListCases", pb.ListCasesRequest(agreement_id="sla-desk", page_size=1))
    invoke_ok("SignAgreement", sign_request("sla-other"))
    request = pb.ListCasesRequest(agreement_id="sla-other", page_token=first.next_page_token)

    context = invoke_directly("ListCases", request)

    assert context.code is grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_fields(context.trailing_metadata) == ["page_token"]


def test_the_cases_of_an_unknown_agreement_are_not_found(invoke: Invoke) -> None:
    ended = invoke("ListCases", pb.ListCasesRequest(agreement_id="nope"))

    assert ended.code is grpc.StatusCode.NOT_FOUND
