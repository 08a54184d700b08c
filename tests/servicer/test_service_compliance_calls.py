"""GetCompliance and RecalculatePeriod of a service SLA through the servicer: a tier or a
subscriber is named, never both, and only for a service SLA."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc

TERM_START = datetime(2026, 1, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
AS_OF = datetime(2026, 3, 10, tzinfo=UTC)

Invoke = Callable[[str, Message], Any]


@pytest.fixture
def refused(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Callable[[str, Message], list[str]]:
    """The fields an INVALID_ARGUMENT refusal of a call names."""

    def fields(method: str, request: Message) -> list[str]:
        context = invoke_directly(method, request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


@pytest.fixture
def service(invoke_ok: Invoke) -> str:
    """The service SLA signed with its two tiers, globex subscribed to basic from March, and a
    reading of March recorded once for the service."""
    invoke_ok("SignAgreement", svc.sign_service(TERM_START, TERM_START))
    invoke_ok("SubscribeCustomer", svc.subscribe("globex", "basic", MARCH))
    reading = build.reading("availability", datetime(2026, 3, 5, tzinfo=UTC), 985, 1000)
    invoke_ok(
        "RecordMeasurements",
        pb.RecordMeasurementsRequest(agreement_id=svc.SERVICE, measurements=[reading]),
    )
    return svc.SERVICE


def _compliance(**fields: Any) -> pb.GetComplianceRequest:
    request = pb.GetComplianceRequest(agreement_id=svc.SERVICE, **fields)
    request.as_of.FromDatetime(AS_OF)
    return request


def test_a_tier_report_judges_the_service_readings_against_the_tier_target(
    invoke_ok: Invoke, service: str
) -> None:
    basic = invoke_ok("GetCompliance", _compliance(tier_id="basic")).report
    premium = invoke_ok("GetCompliance", _compliance(tier_id="premium")).report

    assert (basic.tier_id, basic.objectives[0].tracks[0].target) == ("basic", "99.0")
    assert premium.objectives[0].tracks[0].target == "99.9"
    assert basic.objectives[0].tracks[0].attained == premium.objectives[0].tracks[0].attained


def test_a_subscriber_report_names_the_customer_and_its_tier(
    invoke_ok: Invoke, service: str
) -> None:
    report = invoke_ok("GetCompliance", _compliance(customer_id="globex")).report

    assert (report.customer_id, report.tier_id) == ("globex", "basic")
    assert report.objectives[0].tracks[0].readings == 1


def test_a_service_sla_report_without_a_tier_or_subscriber_is_refused(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    assert refused("GetCompliance", _compliance()) == ["tier_id"]


def test_a_report_naming_a_tier_and_a_subscriber_is_refused(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    request = _compliance(tier_id="basic", customer_id="globex")

    assert refused("GetCompliance", request) == ["customer_id"]


def test_a_report_of_an_unknown_tier_is_refused_naming_tier_id(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    assert refused("GetCompliance", _compliance(tier_id="gold")) == ["tier_id"]


def test_a_report_of_a_customer_without_a_subscription_is_not_found(
    invoke: Callable[[str, Message], Any], service: str
) -> None:
    ended = invoke("GetCompliance", _compliance(customer_id="initech"))

    assert ended.code is grpc.StatusCode.NOT_FOUND


def test_a_customer_agreement_report_naming_a_tier_is_refused(
    refused: Callable[[str, Message], list[str]], invoke_ok: Invoke, sign_request: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    request = pb.GetComplianceRequest(agreement_id="sla-1", tier_id="basic")

    assert refused("GetCompliance", request) == ["tier_id"]


def test_a_malformed_customer_id_of_a_report_is_refused(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    assert refused("GetCompliance", _compliance(customer_id="bad id!")) == ["customer_id"]


def test_recalculating_a_service_sla_period_needs_a_subscriber(
    refused: Callable[[str, Message], list[str]], service: str
) -> None:
    request = pb.RecalculatePeriodRequest(
        agreement_id=svc.SERVICE, objective_id="availability", period_label="2026-03"
    )

    assert refused("RecalculatePeriod", request) == ["customer_id"]


def test_recalculating_a_customer_agreement_period_of_a_subscriber_is_refused(
    refused: Callable[[str, Message], list[str]], invoke_ok: Invoke, sign_request: Any
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    request = pb.RecalculatePeriodRequest(
        agreement_id="sla-1",
        objective_id="availability",
        period_label="2026-03",
        customer_id="globex",
    )

    assert refused("RecalculatePeriod", request) == ["customer_id"]
