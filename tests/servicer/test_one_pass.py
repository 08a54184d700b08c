"""A refused request names all of its violations at once: the missing and malformed fields and
what the command's own rules find in the rest, without what only follows from a refused field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build

Invoke = Callable[[str, Message], Any]
SignRequest = Callable[..., pb.SignAgreementRequest]
Fields = Callable[[str, Message], list[str]]
FIRST_MINUTE = datetime(2026, 2, 1, tzinfo=UTC)


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


def test_a_signing_with_a_missing_field_also_names_the_terms_rules_it_breaks(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="Mars/Olympus")
    request.terms.ClearField("term_start")
    request.terms.objectives[0].target_percent = "101"

    assert refused_fields("SignAgreement", request) == [
        "terms.term_start",
        "terms.time_zone",
        "terms.objectives[0].target_percent",
    ]


def test_a_signing_names_a_refused_field_once_and_not_what_follows_from_it(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="Mars/Olympus")
    request.terms.ClearField("fee")
    request.terms.objectives[0].target_percent = "abc"

    assert refused_fields("SignAgreement", request) == [
        "terms.fee",
        "terms.fee.amount",
        "terms.objectives[0].target_percent",
        "terms.fee.amount.amount",
        "terms.fee.period",
        "terms.time_zone",
    ]


def test_an_unknown_indicator_does_not_also_name_the_fields_of_the_indicator_meant(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1")
    objective = request.terms.objectives[0]
    objective.indicator = 99  # type: ignore[assignment]
    objective.target_percent = ""
    objective.limit = 3

    assert refused_fields("SignAgreement", request) == ["terms.objectives[0].indicator"]


def test_a_signing_in_the_future_with_bad_terms_names_both(
    refused_fields: Fields, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1", time_zone="Mars/Olympus")
    request.signed_at.FromDatetime(datetime(2030, 1, 1, tzinfo=UTC))

    assert refused_fields("SignAgreement", request) == ["terms.time_zone", "signed_at"]


def test_an_amendment_without_effective_from_also_names_a_changed_party(
    refused_fields: Fields, signed: str
) -> None:
    request = build.amend_request(signed, datetime(2026, 1, 1, tzinfo=UTC), FIRST_MINUTE)
    request.ClearField("effective_from")
    request.terms.customer.party_id = "initech"

    assert refused_fields("AmendAgreement", request) == [
        "effective_from",
        "terms.customer.party_id",
    ]


def test_a_termination_without_effective_at_also_names_a_reason_too_long(
    refused_fields: Fields, signed: str
) -> None:
    request = pb.TerminateAgreementRequest(agreement_id=signed, reason="x" * 5000)

    assert refused_fields("TerminateAgreement", request) == ["effective_at", "reason"]


def test_an_exclusion_without_a_start_also_names_a_missing_reason_and_unknown_objective(
    refused_fields: Fields, signed: str
) -> None:
    request = pb.RecordExclusionRequest(
        agreement_id=signed,
        exclusion=terms_pb2.Exclusion(
            exclusion_id="maintenance-1",
            end=build.timestamp(FIRST_MINUTE),
            kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
            objective_ids=["latency"],
        ),
    )

    assert refused_fields("RecordExclusion", request) == [
        "exclusion.start",
        "exclusion.objective_ids[0]",
        "exclusion.reason",
    ]


def test_a_batch_with_a_reading_out_of_range_also_names_the_other_bad_readings(
    refused_fields: Fields, signed: str
) -> None:
    year_one = build.reading("availability", FIRST_MINUTE)
    year_one.observed_at.seconds = -62_135_596_800
    request = pb.RecordMeasurementsRequest(
        agreement_id=signed,
        measurements=[
            year_one,
            build.reading("availability", FIRST_MINUTE, good=61, total=60),
            build.reading("latency", FIRST_MINUTE),
        ],
    )

    assert refused_fields("RecordMeasurements", request) == [
        "measurements[0].observed_at",
        "measurements[1].counts.good",
        "measurements[2].objective_id",
    ]


def test_a_batch_with_a_malformed_block_also_names_bad_readings_of_the_other_blocks(
    refused_fields: Fields, signed: str
) -> None:
    micros = int(FIRST_MINUTE.timestamp()) * 1_000_000
    minute = 60_000_000
    request = pb.RecordMeasurementsRequest(
        agreement_id=signed,
        columns=[
            terms_pb2.MeasurementColumns(
                objective_id="availability", observed_at_micros=[micros], good=[1]
            ),
            terms_pb2.MeasurementColumns(
                objective_id="availability",
                observed_at_micros=[micros + minute, micros + 2 * minute],
                good=[1, 7],
                total=[1, 6],
            ),
        ],
    )

    assert refused_fields("RecordMeasurements", request) == [
        "columns[0].good",
        "columns[1].good[1]",
    ]


def test_a_batch_refused_for_its_shape_names_no_reading_in_the_future_twice(
    refused_fields: Fields, signed: str
) -> None:
    late = build.reading("availability", datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=1))
    late.observed_at.nanos = -1

    assert refused_fields(
        "RecordMeasurements", pb.RecordMeasurementsRequest(agreement_id=signed, measurements=[late])
    ) == ["measurements[0].observed_at"]
