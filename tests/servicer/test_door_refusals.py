"""Values outside their documented range are refused where they enter, naming the field, instead
of being accepted and misread (or failing later as INTERNAL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from domain.errors import Violations
from domain.money import Money
from domain.terms import Fee, PeriodUnit
from service.api.mapping.terms import terms_from_proto
from service.api.page_tokens import encode_page_token
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., pb.SignAgreementRequest]
Fields = Callable[[str, Message], list[str]]
TERM_START = datetime(2026, 1, 1, tzinfo=UTC)
NOT_PLAIN = [
    "1_000",
    "\u0661\u0660\u0660\u0660",  # Arabic-Indic digits
    "\uff11\uff10\uff10\uff10",  # full-width digits
    "+5",
    "-0",
    "1E+2",
]


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
def signed(invoke_ok: Invoke, sign_request: SignRequest) -> str:
    invoke_ok("SignAgreement", sign_request("sla-1"))
    return "sla-1"


def _scheduled(request: pb.SignAgreementRequest, holidays: list[str]) -> pb.SignAgreementRequest:
    schedule = request.terms.objectives[0].schedule
    schedule.days.extend([1, 2, 3, 4, 5])
    schedule.start_minute, schedule.end_minute = 480, 1080
    schedule.holidays.extend(holidays)
    return request


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_a_fee_that_is_not_a_plain_ascii_decimal_is_refused(
    refused_fields: Fields, sign_request: SignRequest, amount: str
) -> None:
    request = sign_request("sla-1")
    request.terms.fee.amount.amount = amount

    assert refused_fields("SignAgreement", request) == ["terms.fee.amount.amount"]


@pytest.mark.parametrize(
    "percent",
    ["9_9", "\u0669\u0669", "\uff19\uff19", "+99", "9.9E+1"],  # each read as 99 before
)
def test_a_target_percent_that_is_not_a_plain_ascii_decimal_is_refused(
    refused_fields: Fields, sign_request: SignRequest, percent: str
) -> None:
    request = sign_request("sla-1")
    request.terms.objectives[0].target_percent = percent

    assert refused_fields("SignAgreement", request) == ["terms.objectives[0].target_percent"]


@pytest.mark.parametrize("points", ["1e-200", "0." + "0" * 199 + "1", "1" + "0" * 199])
def test_a_steps_size_beyond_the_documented_digits_is_refused(
    refused_fields: Fields, sign_request: SignRequest, points: str
) -> None:
    request = sign_request("sla-1")
    steps = request.terms.credit_policy.steps
    steps.per_points, steps.credit_percent = points, "10"

    assert refused_fields("SignAgreement", request) == ["terms.credit_policy.steps.per_points"]


def test_a_negative_threshold_is_a_plain_decimal_and_accepted(
    invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    objective = terms_pb2.Objective(
        objective_id="cold",
        metric="temperature",
        target_percent="99",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        indicator=terms_pb2.INDICATOR_THRESHOLD,
        threshold=terms_pb2.Threshold(comparison=terms_pb2.COMPARISON_LTE, value="-18.5"),
    )

    signed = invoke_ok("SignAgreement", sign_request("sla-1", objectives=[objective]))

    assert signed.agreement.terms.objectives[0].threshold.value == "-18.5"


@pytest.mark.parametrize("holiday", ["20260101", "2026-W01-4"])
def test_a_holiday_not_written_yyyy_mm_dd_is_refused(
    refused_fields: Fields, sign_request: SignRequest, holiday: str
) -> None:
    request = _scheduled(sign_request("sla-1"), ["2026-12-25", holiday])

    assert refused_fields("SignAgreement", request) == ["terms.objectives[0].schedule.holidays[1]"]


def test_more_than_a_thousand_holidays_are_refused(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = _scheduled(sign_request("sla-1"), ["2026-12-25"] * 100_000)

    assert refused_fields("SignAgreement", request) == ["terms.objectives[0].schedule.holidays"]


def test_a_label_scope_key_beyond_128_characters_is_refused(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1")
    request.terms.objectives[0].label_scope["k" * 100_000] = "critical"

    assert refused_fields("SignAgreement", request) == ["terms.objectives[0].label_scope"]


def test_more_than_a_hundred_credit_bands_are_refused(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1")
    for _ in range(101):
        request.terms.credit_policy.bands.bands.add(below_percent="99", credit_percent="10")

    assert refused_fields("SignAgreement", request) == ["terms.credit_policy.bands"]


def test_a_term_start_in_year_1_is_refused(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="America/New_York")
    request.terms.term_start.seconds = -62_135_596_800

    assert refused_fields("SignAgreement", request) == ["terms.term_start"]


def test_a_term_start_at_the_epoch_is_the_earliest_accepted(
    invoke_ok: Invoke, refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="America/New_York")
    request.terms.term_start.seconds = 0
    request.signed_at.seconds = 0
    earlier = sign_request("sla-2")
    earlier.terms.term_start.seconds = -1

    invoke_ok("SignAgreement", request)
    assert refused_fields("SignAgreement", earlier) == ["terms.term_start"]


def test_an_as_of_from_2200_on_is_refused_and_the_instant_before_is_accepted(
    invoke_ok: Invoke, refused_fields: Fields, signed: str
) -> None:
    last = pb.GetComplianceRequest(agreement_id=signed)
    last.as_of.FromDatetime(datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
    beyond = pb.GetComplianceRequest(agreement_id=signed)
    beyond.as_of.FromDatetime(datetime(2200, 1, 1, tzinfo=UTC))

    invoke_ok("GetCompliance", last)
    assert refused_fields("GetCompliance", beyond) == ["as_of"]


@pytest.mark.parametrize("label", ["2026-13", "garbage", "2026-W03", "2026-03-01"])
def test_a_period_label_that_is_not_one_of_the_objectives_unit_is_refused(
    refused_fields: Fields, signed: str, label: str
) -> None:
    request = pb.RecalculatePeriodRequest(
        agreement_id=signed, objective_id="availability", period_label=label
    )

    assert refused_fields("RecalculatePeriod", request) == ["period_label"]


def test_recalculating_an_objective_the_agreement_lacks_is_refused(
    refused_fields: Fields, signed: str
) -> None:
    request = pb.RecalculatePeriodRequest(
        agreement_id=signed, objective_id="latency", period_label="2026-03"
    )

    assert refused_fields("RecalculatePeriod", request) == ["objective_id"]


def test_recalculating_a_well_formed_period_that_is_not_closed_is_not_found(
    invoke: Invoke, signed: str
) -> None:
    request = pb.RecalculatePeriodRequest(
        agreement_id=signed, objective_id="availability", period_label="2026-03"
    )

    assert invoke("RecalculatePeriod", request).code is grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("state", [3, 9, -1])
def test_an_unknown_breach_state_filter_is_refused(refused_fields: Fields, state: int) -> None:
    request = pb.ListBreachesRequest(state=state)  # type: ignore[arg-type]

    assert refused_fields("ListBreaches", request) == ["state"]


@pytest.mark.parametrize("version", [0, -1, 2**53 + 1, 2**63 - 1])
def test_an_expected_version_outside_1_to_2_to_the_53_is_refused(
    refused_fields: Fields, signed: str, version: int
) -> None:
    request = build.amend_request(signed, TERM_START, datetime(2026, 3, 1, tzinfo=UTC))
    request.expected_version = version

    assert refused_fields("AmendAgreement", request) == ["expected_version"]


@pytest.mark.parametrize(
    ("method", "request_message", "field"),
    [
        ("GetCompliance", pb.GetComplianceRequest(agreement_id="sla-1", min_log_position=-1), ""),
        ("ListBreaches", pb.ListBreachesRequest(min_log_position=2**63 - 1), ""),
        ("ListCredits", pb.ListCreditsRequest(min_log_position=-(2**63)), ""),
        ("GetCreditBalance", pb.GetCreditBalanceRequest(min_log_position=2**53 + 1), ""),
        ("VerifyLedger", pb.VerifyLedgerRequest(after_position=2**63 - 1), "after_position"),
        ("VerifyLedger", pb.VerifyLedgerRequest(up_to_position=2**63 - 1), "up_to_position"),
    ],
)
def test_a_position_outside_0_to_2_to_the_53_is_refused(
    refused_fields: Fields, signed: str, method: str, request_message: Message, field: str
) -> None:
    assert refused_fields(method, request_message) == [field or "min_log_position"]


def test_a_page_token_beyond_2_to_the_53_is_refused(refused_fields: Fields) -> None:
    request = pb.ListEventsRequest(page_token=encode_page_token("", 2**53 + 1))

    assert refused_fields("ListEvents", request) == ["page_token"]


def test_an_exclusion_naming_an_objective_twice_is_refused(
    refused_fields: Fields, signed: str
) -> None:
    request = pb.RecordExclusionRequest(
        agreement_id=signed,
        exclusion=terms_pb2.Exclusion(
            exclusion_id="maintenance-1",
            start=build.timestamp(datetime(2026, 2, 1, tzinfo=UTC)),
            end=build.timestamp(datetime(2026, 2, 2, tzinfo=UTC)),
            kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
            reason="planned",
            objective_ids=["availability"] * 100_000,
        ),
    )

    assert refused_fields("RecordExclusion", request) == ["exclusion.objective_ids"]


def test_terms_stored_with_a_fee_written_1e_plus_2_before_the_door_refused_it_still_read_back(
    ledger_app: LedgerApplication, invoke_ok: Invoke, sign_request: SignRequest
) -> None:
    terms = terms_from_proto(sign_request("old").terms, "terms", Violations())
    object.__setattr__(terms, "fee", Fee(Money(Decimal("1E+2"), "EUR"), PeriodUnit.MONTH))
    ledger_app.commands.sign_agreement("old", terms, TERM_START)

    agreement = invoke_ok("GetAgreement", build.get_request("old")).agreement

    assert Decimal(agreement.terms.fee.amount.amount) == Decimal(100)


@pytest.mark.parametrize(
    ("method", "request_message", "field"),
    [
        ("ListEvents", pb.ListEventsRequest(agreement_id="sla\x00"), "agreement_id"),
        ("ListBreaches", pb.ListBreachesRequest(customer_id="x" * 100_000), "customer_id"),
        ("ListBreaches", pb.ListBreachesRequest(objective_id="a b"), "objective_id"),
        ("ListCredits", pb.ListCreditsRequest(provider_id="\x00"), "provider_id"),
        ("ListCredits", pb.ListCreditsRequest(currency_code="eur"), "currency_code"),
        ("GetCreditBalance", pb.GetCreditBalanceRequest(customer_id="\x00"), "customer_id"),
    ],
)
def test_a_listing_filter_that_is_neither_empty_nor_an_identifier_is_refused(
    refused_fields: Fields, method: str, request_message: Message, field: str
) -> None:
    assert refused_fields(method, request_message) == [field]
