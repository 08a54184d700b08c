"""Hostile input against a real server: random and malformed requests never get INTERNAL, never
write part of anything, and leave the server healthy and its ledger verifiable."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.generated.sla.ledger.v1 import cases_pb2, ledger_service_pb2_grpc, terms_pb2
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.hostile_claims import claim_calls

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED}
METHODS = [m.name for m in pb.DESCRIPTOR.services_by_name["LedgerService"].methods]
UNARY = [m for m in METHODS if m != "SubscribeEvents"]

texts = st.text(max_size=300) | st.sampled_from(["", "sla-1", "availability", "x" * 5000])
numbers = st.integers(-(2**63), 2**63 - 1)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -0.0]
)


@st.composite
def readings(draw: st.DrawFn) -> pb.RecordMeasurementsRequest:
    request = pb.RecordMeasurementsRequest(
        agreement_id=draw(st.sampled_from(["sla-1", "nope", ""]))
    )
    for _ in range(draw(st.integers(0, 20))):
        m = request.measurements.add(objective_id=draw(st.sampled_from(["availability", "x", ""])))
        m.measurement_id = draw(texts)
        m.observed_at.seconds = draw(st.integers(-(2**40), 2**40))
        m.observed_at.nanos = draw(st.integers(-(2**31), 2**31 - 1))
        if draw(st.booleans()):
            m.counts.good, m.counts.total = (
                draw(st.integers(0, 2**64 - 1)),
                draw(st.integers(0, 2**64 - 1)),
            )
        else:
            m.sample = draw(floats)
        for _ in range(draw(st.integers(0, 20))):
            m.labels[draw(texts)] = draw(texts)
    return request


@st.composite
def case_batches(draw: st.DrawFn) -> pb.RecordCaseEventsRequest:
    request = pb.RecordCaseEventsRequest(agreement_id=draw(st.sampled_from(["sla-1", "nope", ""])))
    start = int(START.timestamp())
    for _ in range(draw(st.integers(0, 20))):
        m = request.milestones.add(case_id=draw(st.sampled_from(["T-1", "T-2", ""]) | texts))
        m.milestone_id = draw(st.sampled_from(["", "m-1"]) | texts)
        m.kind = cast(cases_pb2.MilestoneKind, draw(st.integers(-2, 12)))
        m.occurred_at.seconds = draw(
            st.integers(start, start + 86_400) | st.integers(-(2**40), 2**40)
        )
        m.occurred_at.nanos = draw(st.sampled_from([0, 999_999_999, -1, 2**31 - 1]))
        m.pause_reason = cast(terms_pb2.PauseReason, draw(st.integers(-2, 6)))
        for _ in range(draw(st.integers(0, 20))):
            m.labels[draw(texts)] = draw(texts)
    request.request_id = draw(st.sampled_from(["", "r-1", "bad id!"]))
    return request


@st.composite
def signings(draw: st.DrawFn) -> pb.SignAgreementRequest:
    request = build.sign_request(draw(texts), START, START)
    terms = request.terms
    terms.kind = cast(terms_pb2.AgreementKind, draw(st.integers(-5, 50)))
    terms.time_zone = draw(st.sampled_from(["UTC", "Mars/Olympus", "", "Europe/Berlin"]))
    terms.fee.amount.amount = draw(st.sampled_from(["1000.00", "NaN", "-1", "1e999", "abc"]))
    terms.fee.amount.currency_code = draw(st.sampled_from(["EUR", "XXX", "", "eur"]))
    objective = terms.objectives[0]
    objective.target_percent = draw(st.sampled_from(["99.9", "101", "-1", "NaN", ""]))
    objective.period = cast(terms_pb2.PeriodUnit, draw(st.integers(-1, 20)))
    objective.indicator = cast(terms_pb2.Indicator, draw(st.integers(-1, 20)))
    objective.slice_seconds = draw(st.integers(-(2**31), 2**31 - 1))
    cap_values = st.sampled_from(
        ["50", "0", "100.000001", "-1", "NaN", "1e3", "", "0.001", "9" * 30]
    )
    for cap_field in draw(
        st.sampled_from([(), ("percent_of_fee",), ("amount",), ("percent_of_fee", "amount")])
    ):
        setattr(terms.credit_cap, cap_field, draw(cap_values))
    rule_values = st.sampled_from([None, 0, 1, 48, 3650, 8760, 8761, -1, 2**31 - 1, -(2**31)])
    for rule_field in ("maintenance_notice_hours", "acknowledgement_after_days"):
        if (value := draw(rule_values)) is not None:
            setattr(terms.exclusion_rules, rule_field, value)
    request.request_id = draw(st.sampled_from(["", "r-1", "bad id!"]))
    return request


@st.composite
def subscription_calls(draw: st.DrawFn) -> tuple[str, Any]:
    """A SubscribeCustomer, ChangeSubscriptionTier or EndSubscription request, hostile."""
    agreement_id = draw(st.sampled_from([svc.SERVICE, "sla-1", "nope", ""]))
    customer_id = draw(st.sampled_from(["globex", "initech", ""]) | texts)
    tier_id = draw(st.sampled_from(["basic", "premium", "gold", ""]) | texts)
    start = int(START.timestamp())
    instant = st.integers(start - 86_400 * 400, start + 86_400 * 400) | st.integers(-(2**40), 2**40)
    fee = svc.fee(
        draw(st.sampled_from(["1000.00", "NaN", "-1", "1e3", "0.001", ""])),
        draw(st.sampled_from(["EUR", "XXX", "", "JPY"])),
    )
    fee.period = cast(terms_pb2.PeriodUnit, draw(st.integers(-1, 6)))
    kind = draw(st.sampled_from(["SubscribeCustomer", "ChangeSubscriptionTier", "EndSubscription"]))
    request: Any
    if kind == "SubscribeCustomer":
        request = pb.SubscribeCustomerRequest(
            agreement_id=agreement_id,
            customer=terms_pb2.Party(party_id=customer_id, display_name=draw(texts)),
            tier_id=tier_id,
            fee=fee,
        )
        request.start.seconds = draw(instant)
        if draw(st.booleans()):
            request.end.seconds = draw(instant)
    elif kind == "ChangeSubscriptionTier":
        request = pb.ChangeSubscriptionTierRequest(
            agreement_id=agreement_id, customer_id=customer_id, tier_id=tier_id, reason=draw(texts)
        )
        if draw(st.booleans()):
            request.fee.CopyFrom(fee)
        request.effective_from.seconds = draw(instant)
        request.effective_from.nanos = draw(st.sampled_from([0, 999_999_999, -1]))
    else:
        request = pb.EndSubscriptionRequest(
            agreement_id=agreement_id, customer_id=customer_id, reason=draw(texts)
        )
        request.end_at.seconds = draw(instant)
    if kind != "SubscribeCustomer" and draw(st.booleans()):
        request.expected_version = draw(numbers)
    request.request_id = draw(st.sampled_from(["", "r-1", "bad id!"]))
    return kind, request


@st.composite
def service_signings(draw: st.DrawFn) -> pb.SignAgreementRequest:
    """A service SLA's signing with hostile tiers."""
    request = svc.sign_service(START, START, agreement_id=draw(texts))
    tiers = request.terms.tiers
    for _ in range(draw(st.integers(0, 3))):
        tiers.append(svc.tier(draw(texts), "99.0", svc.bands(("99", "10"))))
    for tier in tiers:
        tier.tier_id = draw(st.sampled_from([tier.tier_id, "basic", ""]) | texts)
        objective = tier.objectives[0]
        objective.objective_id = draw(st.sampled_from(["availability", "latency", ""]))
        objective.target_percent = draw(st.sampled_from(["99.9", "101", "-1", "NaN", ""]))
        objective.indicator = cast(terms_pb2.Indicator, draw(st.integers(-1, 8)))
    if draw(st.booleans()):
        request.terms.customer.party_id = draw(texts)
    if draw(st.booleans()):
        request.terms.objectives.append(build.proto_terms(START).objectives[0])
    request.terms.kind = cast(terms_pb2.AgreementKind, draw(st.integers(-1, 5)))
    return request


@st.composite
def balance_reads(draw: st.DrawFn) -> tuple[str, Any]:
    """ListCredits with hostile states, or GetCreditBalance with hostile as_of and known_at."""
    if draw(st.booleans()):
        states = draw(st.lists(st.integers(-(2**31), 2**31 - 1) | st.integers(-1, 9)))
        many = cast(Any, states * draw(st.sampled_from([1, 50])))
        return "ListCredits", pb.ListCreditsRequest(states=many)
    request = pb.GetCreditBalanceRequest(customer_id=draw(st.sampled_from(["", "globex"]) | texts))
    for name in ("as_of", "known_at"):
        if draw(st.booleans()):
            getattr(request, name).seconds = draw(st.integers(-(2**40), 2**40))
            getattr(request, name).nanos = draw(st.sampled_from([0, 999_999_999, -1, 2**31 - 1]))
    return "GetCreditBalance", request


def _digest(stub: Stub) -> pb.LedgerDigest:
    digest: pb.LedgerDigest = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT
    ).digest
    return digest


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


@st.composite
def dispute_calls(draw: st.DrawFn) -> tuple[str, Any]:
    """An OpenDispute or ResolveDispute request, hostile in every field."""
    agreement_id = draw(st.sampled_from(["sla-1", svc.SERVICE, "nope", ""]) | texts)
    dispute_id = draw(st.sampled_from(["d-1", "d-2", "", "bad id!"]) | texts)
    request: Any
    if draw(st.booleans()):
        subject = dpb.DisputeSubject(
            kind=cast(
                dpb.DisputeSubjectKind, draw(st.integers(-1, 4) | numbers.map(lambda n: n % 2**31))
            ),
            objective_id=draw(st.sampled_from(["availability", ""]) | texts),
            period_label=draw(st.sampled_from(["2026-01", "2026-13", ""]) | texts),
            exclusion_id=draw(st.sampled_from(["maint-1", ""]) | texts),
            customer_id=draw(st.sampled_from(["globex", "initech", ""]) | texts),
        )
        request = dpb.OpenDisputeRequest(
            agreement_id=agreement_id,
            dispute_id=dispute_id,
            subject=subject,
            reason=draw(texts),
            evidence=draw(texts),
        )
        kind = "OpenDispute"
    else:
        request = dpb.ResolveDisputeRequest(
            agreement_id=agreement_id,
            dispute_id=dispute_id,
            outcome=cast(dpb.DisputeOutcome, draw(st.integers(-1, 3))),
            reason=draw(texts),
        )
        if draw(st.booleans()):
            request.expected_version = draw(numbers)
        kind = "ResolveDispute"
    request.request_id = draw(st.sampled_from(["", "r-1", "bad id!"]))
    return kind, request


@pytest.fixture
def fuzzed(stub: Stub) -> Stub:
    stub.SignAgreement(build.sign_request("sla-1", START, START), timeout=TIMEOUT)
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    stub.SubscribeCustomer(svc.subscribe("globex", "basic", START), timeout=TIMEOUT)
    return stub


@FUZZ
@given(method=st.sampled_from(UNARY), payload=st.binary(max_size=200))
def test_random_bytes_to_any_method_are_never_internal(
    server: Any, fuzzed: Stub, method: str, payload: bytes
) -> None:
    call = server.channel.unary_unary(
        f"/sla.ledger.v1.LedgerService/{method}",
        request_serializer=None,
        response_deserializer=None,
    )
    before = _digest(fuzzed)

    code = _code(lambda: call(payload, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(request=readings())
def test_hostile_batches_are_refused_whole_or_recorded_whole(
    fuzzed: Stub, request: pb.RecordMeasurementsRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.RecordMeasurements(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert code is grpc.StatusCode.INVALID_ARGUMENT or code is grpc.StatusCode.NOT_FOUND
        assert _digest(fuzzed) == before


@FUZZ
@given(request=case_batches())
def test_hostile_case_batches_are_refused_whole_or_recorded_whole(
    fuzzed: Stub, request: pb.RecordCaseEventsRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.RecordCaseEvents(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert code in (
            grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.ALREADY_EXISTS,
        )
        assert _digest(fuzzed) == before


@FUZZ
@given(request=signings())
def test_hostile_terms_are_refused_with_invalid_argument_and_write_nothing(
    fuzzed: Stub, request: pb.SignAgreementRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.SignAgreement(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(call=subscription_calls())
def test_hostile_subscription_calls_are_refused_without_writing_or_recorded_whole(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    before = _digest(fuzzed)

    code = _code(lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(call=dispute_calls())
def test_hostile_dispute_calls_are_refused_without_writing_or_recorded_whole(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    before = _digest(fuzzed)

    code = _code(lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(request=service_signings())
def test_hostile_service_sla_terms_are_refused_and_write_nothing(
    fuzzed: Stub, request: pb.SignAgreementRequest
) -> None:
    before = _digest(fuzzed)

    code = _code(lambda: fuzzed.SignAgreement(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(call=claim_calls())
def test_hostile_claims_decisions_and_settlements_are_refused_without_writing(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call
    before = _digest(fuzzed)

    code = _code(lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        assert _digest(fuzzed) == before


@FUZZ
@given(call=balance_reads())
def test_hostile_balance_and_credit_state_reads_are_answered_or_refused_as_invalid(
    fuzzed: Stub, call: tuple[str, Any]
) -> None:
    method, request = call

    code = _code(lambda: getattr(fuzzed, method)(request, timeout=TIMEOUT))

    assert code in (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT)


def test_after_the_fuzzing_the_server_is_healthy_and_the_ledger_verifies(
    server: Any, fuzzed: Stub
) -> None:
    call = server.channel.unary_unary(
        "/sla.ledger.v1.LedgerService/RecordMeasurements",
        request_serializer=None,
        response_deserializer=None,
    )
    for payload in (b"\xff" * 50, b"\x0a\xff\xff\xff\xff\x0f", bytes(range(256))):
        assert _code(partial(call, payload, timeout=TIMEOUT)) is grpc.StatusCode.INVALID_ARGUMENT

    health = health_pb2_grpc.HealthStub(server.channel)
    status = health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT).status
    verified = fuzzed.VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT)
    assert status == health_pb2.HealthCheckResponse.SERVING
    assert verified.ok


def test_a_batch_of_thousands_of_bad_readings_is_invalid_argument_naming_the_first_fifty(
    fuzzed: Stub,
) -> None:
    request = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    for minute in range(5_000):
        reading = request.measurements.add(objective_id="availability", sample=math.nan)
        reading.observed_at.FromDatetime(START + timedelta(minutes=minute))

    with pytest.raises(grpc.RpcError) as refused:
        fuzzed.RecordMeasurements(request, timeout=TIMEOUT)

    status = rpc_status.from_call(refused.value)
    assert status is not None and status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    assert len(bad_request.field_violations) == 51
    assert bad_request.field_violations[-1].description.endswith("more violations")


def test_an_agreement_signed_in_the_future_is_invalid_argument(stub: Stub) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    request = build.sign_request("sla-future", START, tomorrow)

    with pytest.raises(grpc.RpcError) as refused:
        stub.SignAgreement(request, timeout=TIMEOUT)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "signed_at" in (refused.value.details() or "")
