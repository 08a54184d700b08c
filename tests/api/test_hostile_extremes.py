"""Extreme values against a real server: no instant, position, decimal, enum number, string or
list size in any field of any request reaches INTERNAL, an agreement accepted with extremes stays
usable, and the ledger stays sound. Also each input that used to end in INTERNAL, one by one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import (
    credit_caps_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.extreme_requests import (
    NOW,
    START,
    TARGET,
    opened_milestone,
    request_bases,
    service_bases,
)
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url
from tests.error_details import check_machine_readable
from tests.hostile_requests import YEAR_1, extremes

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED}


@pytest.fixture
def fuzzed(
    start_server: Callable[..., Any], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Stub:
    """A server (quick heartbeats, so subscriptions answer at once) with a healthy agreement,
    its readings, and a target agreement for the commands."""
    monkeypatch.setenv("SLA_LEDGER_HEARTBEAT_SECONDS", "0.2")
    stub = Stub(start_server(database_url).channel)
    for agreement_id in ("healthy", TARGET):
        stub.SignAgreement(build.sign_request(agreement_id, START, START), timeout=TIMEOUT)
        stub.RecordMeasurements(build.minute_readings(agreement_id, START, 60), timeout=TIMEOUT)
    opened = opened_milestone("T-1", NOW - timedelta(hours=1))
    stub.RecordCaseEvents(
        pb.RecordCaseEventsRequest(agreement_id=TARGET, milestones=[opened]), timeout=TIMEOUT
    )
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    for customer in ("globex", "hooli"):
        stub.SubscribeCustomer(svc.subscribe(customer, "basic", START), timeout=TIMEOUT)
    return stub


def _call(stub: Stub, method: str, request: Message) -> tuple[grpc.StatusCode, str]:
    """How a call ended: OK, or the code and details of its failure."""
    try:
        if method == "SubscribeEvents":
            stream = stub.SubscribeEvents(request, timeout=TIMEOUT)
            next(stream)
            stream.cancel()
        else:
            getattr(stub, method)(request, timeout=TIMEOUT)
    except grpc.RpcError as error:
        check_machine_readable(error)
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


def test_extremes_in_every_field_of_every_request_never_reach_internal_and_leave_it_sound(
    fuzzed: Stub,
) -> None:
    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["LedgerService"].methods}
    bases = request_bases()
    assert set(bases) == methods
    internal, accepted = [], []
    for index, (method, base) in enumerate([*bases.items(), *service_bases()]):
        assert _call(fuzzed, method, base)[0] is not grpc.StatusCode.INTERNAL
        for number, (path, request) in enumerate(extremes(base)):
            if method in ("SignAgreement", "TerminateAgreement") and path != "agreement_id":
                request.agreement_id = f"{method}-{index}-{number}"  # type: ignore[attr-defined]
            if method == "TerminateAgreement":
                fresh = build.sign_request(request.agreement_id, START, START)  # type: ignore[attr-defined]
                _call(fuzzed, "SignAgreement", fresh)
            code, details = _call(fuzzed, method, request)
            if code in NEVER:
                internal.append(f"{method} {path}: {code.name} {details}")
            elif method == "SignAgreement" and code is grpc.StatusCode.OK:
                accepted.append(request.agreement_id)  # type: ignore[attr-defined]
    for agreement_id in accepted:  # usable after: closes, reports, takes readings
        reading = build.reading("availability", NOW - timedelta(hours=1))
        for method, request in (
            ("ClosePeriod", pb.ClosePeriodRequest(agreement_id=agreement_id)),
            ("GetCompliance", pb.GetComplianceRequest(agreement_id=agreement_id)),
            (
                "RecordMeasurements",
                pb.RecordMeasurementsRequest(agreement_id=agreement_id, measurements=[reading]),
            ),
        ):
            code, details = _call(fuzzed, method, request)
            if code in NEVER:
                internal.append(f"{method} on accepted {agreement_id}: {code.name} {details}")

    closed = fuzzed.ClosePeriod(pb.ClosePeriodRequest(agreement_id="healthy"), timeout=TIMEOUT)
    head = fuzzed.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest
    projected = pb.ListBreachesRequest(min_log_position=head.log_position)

    assert not internal, "\n".join(internal)
    assert accepted, "no extreme value was accepted: the bases are not valid requests"
    assert [e.WhichOneof("payload") for e in closed.events][:1] == ["period_closed"]
    assert fuzzed.VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT).ok
    assert _call(fuzzed, "ListBreaches", projected)[0] is grpc.StatusCode.OK


# Each input that ended in INTERNAL before the ranges were checked at the door.


def _refused_fields(call: Callable[[], Any]) -> list[str]:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    status = rpc_status.from_call(refused.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    return [v.field for v in bad_request.field_violations]


@pytest.fixture
def signed(stub: Stub) -> str:
    stub.SignAgreement(build.sign_request("sla-1", START, START), timeout=TIMEOUT)
    return "sla-1"


def test_a_reading_observed_in_year_1_is_refused_naming_observed_at(
    stub: Stub, signed: str
) -> None:
    reading = build.reading("availability", START)
    reading.observed_at.seconds = YEAR_1
    request = pb.RecordMeasurementsRequest(agreement_id=signed, measurements=[reading])

    fields = _refused_fields(lambda: stub.RecordMeasurements(request, timeout=TIMEOUT))

    assert fields == ["measurements[0].observed_at"]


@pytest.mark.parametrize("month", [10, 11, 12])
def test_compliance_as_of_late_in_year_9999_is_refused_naming_as_of(
    stub: Stub, signed: str, month: int
) -> None:
    request = pb.GetComplianceRequest(agreement_id=signed)
    request.as_of.FromDatetime(datetime(9999, month, 15, tzinfo=UTC))

    assert _refused_fields(lambda: stub.GetCompliance(request, timeout=TIMEOUT)) == ["as_of"]


def test_subscribing_after_position_2_to_the_63_minus_1_is_refused_naming_it(stub: Stub) -> None:
    request = pb.SubscribeEventsRequest(after_position=2**63 - 1)

    fields = _refused_fields(lambda: next(stub.SubscribeEvents(request, timeout=TIMEOUT)))

    assert fields == ["after_position"]


def test_an_agreement_starting_in_year_1_in_a_zone_west_of_utc_is_refused(stub: Stub) -> None:
    request = build.sign_request("sla-1", START, START, time_zone="America/New_York")
    request.terms.term_start.seconds = YEAR_1

    fields = _refused_fields(lambda: stub.SignAgreement(request, timeout=TIMEOUT))

    assert fields == ["terms.term_start"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("per_points", "1e-200"),
        ("per_points", "0." + "0" * 120 + "5"),
        ("credit_percent", "5." + "0" * 120),
    ],
)
def test_a_credit_policy_decimal_beyond_the_documented_digits_is_refused(
    stub: Stub, field: str, value: str
) -> None:
    steps = terms_pb2.StepsRule(per_points="0.5", credit_percent="5")
    setattr(steps, field, value)
    policy = terms_pb2.CreditPolicy(steps=steps)
    request = build.sign_request("sla-1", START, START, credit_policy=policy)

    fields = _refused_fields(lambda: stub.SignAgreement(request, timeout=TIMEOUT))

    assert fields == [f"terms.credit_policy.steps.{field}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("percent_of_fee", "1e-200"),
        ("percent_of_fee", "0." + "0" * 120 + "5"),
        ("amount", "5." + "0" * 120),
        ("amount", "9" * 200),
    ],
)
def test_a_credit_cap_decimal_beyond_the_documented_digits_is_refused(
    stub: Stub, field: str, value: str
) -> None:
    cap = credit_caps_pb2.CreditCap(**{field: value})
    request = build.sign_request("sla-1", START, START, credit_cap=cap)

    fields = _refused_fields(lambda: stub.SignAgreement(request, timeout=TIMEOUT))

    assert fields == [f"terms.credit_cap.{field}"]
