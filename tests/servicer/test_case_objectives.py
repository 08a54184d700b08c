"""Case objectives through the API: a case_clock signed is the case_clock read back, and every
field of it is checked at the door, naming its path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from domain.objectives import MAX_CASE_TARGET_SECONDS
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., pb.SignAgreementRequest]
CLOCK = "terms.objectives[0].case_clock"


@pytest.fixture
def refused_fields(
    invoke_directly: Callable[[str, Message], Any], bad_request_fields: Callable[[Any], list[str]]
) -> Callable[[pb.SignAgreementRequest], list[str]]:
    """The fields an INVALID_ARGUMENT refusal of a SignAgreement call names."""

    def fields(request: pb.SignAgreementRequest) -> list[str]:
        context = invoke_directly("SignAgreement", request)
        assert context.code is grpc.StatusCode.INVALID_ARGUMENT, context.details
        return bad_request_fields(context.trailing_metadata)

    return fields


def _with_clock(sign_request: SignRequest, **clock: Any) -> pb.SignAgreementRequest:
    objective = build.case_objective()
    objective.ClearField("case_clock")
    objective.case_clock.CopyFrom(terms_pb2.CaseClock(**clock))
    return sign_request("sla-cases", objectives=[objective])


def test_a_signed_case_clock_is_read_back_with_get_agreement(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    objective = build.case_objective(stop=terms_pb2.CLOCK_STOP_FIRST_RESPONSE)
    objective.case_clock.pause_reasons.extend(
        [terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER, terms_pb2.PAUSE_REASON_OTHER]
    )
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[objective]))

    read = invoke_ok("GetAgreement", pb.GetAgreementRequest(agreement_id="sla-cases"))

    assert read.agreement.terms.objectives[0] == objective


def test_the_default_pause_reason_is_shown_as_none_given(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[build.case_objective()]))

    read = invoke_ok("GetAgreement", pb.GetAgreementRequest(agreement_id="sla-cases"))

    assert list(read.agreement.terms.objectives[0].case_clock.pause_reasons) == []


def test_the_signing_event_carries_the_case_clock(
    invoke_ok: Invoke, sign_request: SignRequest, all_events: Callable[[str], list[Any]]
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[build.case_objective()]))

    signed = all_events("sla-cases")[0].agreement_signed

    assert signed.terms.objectives[0].case_clock.target_seconds == 4 * 3600


def test_a_case_clock_without_a_stop_is_refused_naming_stop(
    refused_fields: Callable[[pb.SignAgreementRequest], list[str]], sign_request: SignRequest
) -> None:
    request = _with_clock(sign_request, target_seconds=60)

    assert refused_fields(request) == [f"{CLOCK}.stop"]


@pytest.mark.parametrize("seconds", [0, -1, MAX_CASE_TARGET_SECONDS + 1, 2**63 - 1])
def test_a_target_outside_1_second_to_366_days_is_refused_naming_target_seconds(
    refused_fields: Callable[[pb.SignAgreementRequest], list[str]],
    sign_request: SignRequest,
    seconds: int,
) -> None:
    request = _with_clock(
        sign_request, stop=terms_pb2.CLOCK_STOP_RESOLUTION, target_seconds=seconds
    )

    assert refused_fields(request) == [f"{CLOCK}.target_seconds"]


def test_a_target_of_366_days_is_accepted(invoke_ok: Invoke, sign_request: SignRequest) -> None:
    request = _with_clock(
        sign_request, stop=terms_pb2.CLOCK_STOP_RESOLUTION, target_seconds=MAX_CASE_TARGET_SECONDS
    )

    assert invoke_ok("SignAgreement", request).agreement.version == 1


def test_an_unknown_pause_reason_is_refused_naming_its_index(
    refused_fields: Callable[[pb.SignAgreementRequest], list[str]], sign_request: SignRequest
) -> None:
    request = _with_clock(
        sign_request,
        stop=terms_pb2.CLOCK_STOP_RESOLUTION,
        target_seconds=60,
        pause_reasons=[terms_pb2.PAUSE_REASON_OTHER, 9],
    )

    assert refused_fields(request) == [f"{CLOCK}.pause_reasons[1]"]


def test_a_pause_reason_given_twice_is_refused(
    refused_fields: Callable[[pb.SignAgreementRequest], list[str]], sign_request: SignRequest
) -> None:
    request = _with_clock(
        sign_request,
        stop=terms_pb2.CLOCK_STOP_RESOLUTION,
        target_seconds=60,
        pause_reasons=[terms_pb2.PAUSE_REASON_OTHER, terms_pb2.PAUSE_REASON_OTHER],
    )

    assert refused_fields(request) == [f"{CLOCK}.pause_reasons"]


def test_a_case_objective_judged_by_threshold_is_refused_naming_the_indicator(
    refused_fields: Callable[[pb.SignAgreementRequest], list[str]], sign_request: SignRequest
) -> None:
    objective = build.case_objective()
    objective.indicator = terms_pb2.INDICATOR_THRESHOLD
    objective.threshold.comparison = terms_pb2.COMPARISON_LTE
    objective.threshold.value = "1"

    fields = refused_fields(sign_request("sla-cases", objectives=[objective]))

    assert fields == ["terms.objectives[0].indicator"]


def test_a_count_limit_case_objective_is_accepted(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    objective = build.case_objective()
    objective.indicator = terms_pb2.INDICATOR_COUNT_LIMIT
    objective.target_percent = ""
    objective.limit = 3

    signed = invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[objective]))

    assert signed.agreement.terms.objectives[0].limit == 3


def test_an_amendment_changes_the_case_clock_from_its_effective_instant(
    invoke_ok: Invoke, sign_request: SignRequest, amend_request: Callable[..., Any]
) -> None:
    invoke_ok("SignAgreement", sign_request("sla-cases", objectives=[build.case_objective()]))
    amendment = amend_request("sla-cases")
    amendment.terms.objectives[0].CopyFrom(build.case_objective(target_seconds=2 * 3600))
    invoke_ok("AmendAgreement", amendment)
    after = pb.GetAgreementRequest(agreement_id="sla-cases", as_of=amendment.effective_from)

    read = invoke_ok("GetAgreement", after)

    assert read.agreement.terms.objectives[0].case_clock.target_seconds == 2 * 3600
    assert read.agreement.terms_version == 2
