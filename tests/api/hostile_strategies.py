"""Hypothesis strategies of hostile requests for tests/api/test_hostile_input.py: readings, case
batches, terms, subscription, dispute and balance calls, every field drawn at and beyond its
documented range."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, cast

from hypothesis import strategies as st

from service.generated.sla.ledger.v1 import cases_pb2, terms_pb2
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc

START = datetime(2026, 1, 1, tzinfo=UTC)

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
