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
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import (
    cases_pb2,
    claim_rules_pb2,
    credit_caps_pb2,
    credit_states_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.hostile_claims import claim_bases
from tests.hostile_requests import YEAR_1, extremes

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED}
NOW = datetime.now(UTC)
START = datetime(NOW.year, NOW.month, 1, tzinfo=UTC) - timedelta(days=62)  # two closed months
TARGET = "target"


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
    opened = _opened("T-1", NOW - timedelta(hours=1))
    stub.RecordCaseEvents(
        pb.RecordCaseEventsRequest(agreement_id=TARGET, milestones=[opened]), timeout=TIMEOUT
    )
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT)
    for customer in ("globex", "hooli"):
        stub.SubscribeCustomer(svc.subscribe(customer, "basic", START), timeout=TIMEOUT)
    return stub


def _opened(case_id: str, at: datetime) -> cases_pb2.CaseMilestone:
    return cases_pb2.CaseMilestone(
        case_id=case_id,
        kind=cases_pb2.MILESTONE_KIND_OPENED,
        occurred_at=build.timestamp(at),
        labels={"priority": "P1"},
    )


def _bases() -> dict[str, Message]:
    """A valid request of every method, each of its optional parts present."""
    objective = terms_pb2.Objective(
        objective_id="availability",
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        schedule=terms_pb2.Schedule(
            days=[1, 2, 3, 4, 5], start_minute=480, end_minute=1080, holidays=["2026-12-25"]
        ),
        label_scope={"priority": "critical"},
        credit_policy=terms_pb2.CreditPolicy(
            steps=terms_pb2.StepsRule(per_points="0.5", credit_percent="5"), cap_percent="50"
        ),
    )
    bands = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99", credit_percent="10")]
        )
    )
    case_objective = build.case_objective()
    case_objective.schedule.CopyFrom(objective.schedule)
    case_objective.case_clock.pause_reasons.append(terms_pb2.PAUSE_REASON_OTHER)
    sign = build.sign_request(
        "x", START, START, objectives=[objective, case_objective], credit_policy=bands
    )
    sign.terms.term_end.FromDatetime(START + timedelta(days=3650))
    sign.terms.claim_rule.CopyFrom(claim_rules_pb2.ClaimRule(deadline_days=30, minimum_amount="1"))
    sign.terms.exclusion_rules.maintenance_notice_hours = 48
    sign.terms.exclusion_rules.acknowledgement_after_days = 30
    sign.terms.credit_cap.CopyFrom(credit_caps_pb2.CreditCap(percent_of_fee="100"))
    amend = build.amend_request(TARGET, START, START + timedelta(days=1))
    amend.terms.CopyFrom(sign.terms)
    reading = build.reading("availability", NOW - timedelta(hours=1))
    reading.labels["priority"] = "critical"
    micros = int((NOW - timedelta(hours=2)).timestamp()) * 1_000_000
    columns = terms_pb2.MeasurementColumns(
        objective_id="availability", observed_at_micros=[micros], good=[1], total=[1]
    )
    exclusion = terms_pb2.Exclusion(
        exclusion_id="maintenance-1",
        start=build.timestamp(START + timedelta(days=3)),
        end=build.timestamp(START + timedelta(days=4)),
        kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
        reason="planned",
        objective_ids=["availability"],
    )
    opened = _opened("T-2", NOW - timedelta(minutes=30))
    opened.milestone_id = "m-1"
    paused = cases_pb2.CaseMilestone(
        case_id="T-1",
        kind=cases_pb2.MILESTONE_KIND_PAUSED,
        occurred_at=build.timestamp(NOW - timedelta(minutes=20)),
        pause_reason=terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER,
    )
    until = build.timestamp(NOW - timedelta(days=1))
    instant = build.timestamp(START + timedelta(days=40))
    later = build.timestamp(NOW + timedelta(days=1))
    return {
        "SignAgreement": sign,
        "AmendAgreement": amend,
        "RecordMeasurements": pb.RecordMeasurementsRequest(
            agreement_id=TARGET, measurements=[reading], columns=[columns]
        ),
        "GetAgreement": pb.GetAgreementRequest(agreement_id=TARGET, as_of=instant, known_at=later),
        "ListEvents": pb.ListEventsRequest(agreement_id=TARGET, page_size=10),
        "RecordExclusion": pb.RecordExclusionRequest(agreement_id=TARGET, exclusion=exclusion),
        "ClosePeriod": pb.ClosePeriodRequest(agreement_id=TARGET, until=until),
        "RecalculatePeriod": pb.RecalculatePeriodRequest(
            agreement_id=TARGET, objective_id="availability", period_label=START.strftime("%Y-%m")
        ),
        "GetCompliance": pb.GetComplianceRequest(
            agreement_id=TARGET, objective_id="availability", as_of=instant, known_at=later
        ),
        "ListBreaches": pb.ListBreachesRequest(
            agreement_id=TARGET, period_start_from=build.timestamp(START), period_start_before=until
        ),
        "ListCredits": pb.ListCreditsRequest(
            currency_code="EUR",
            period_start_from=until,
            states=[credit_states_pb2.CREDIT_STATE_APPROVED],
        ),
        "GetCreditBalance": pb.GetCreditBalanceRequest(
            customer_id="globex", currency_code="EUR", as_of=instant, known_at=later
        ),
        "SubscribeEvents": pb.SubscribeEventsRequest(
            agreement_id=TARGET, event_types=["agreement_signed"], after_position=1
        ),
        "GetLedgerDigest": pb.GetLedgerDigestRequest(),
        "VerifyLedger": pb.VerifyLedgerRequest(
            after_position=1,
            up_to_position=2,
            expected_digest=pb.LedgerDigest(log_position=1, sha256_hex="0" * 64),
        ),
        "RecordCaseEvents": pb.RecordCaseEventsRequest(
            agreement_id=TARGET, milestones=[opened, paused], request_id="cases-1"
        ),
        "GetCase": pb.GetCaseRequest(
            agreement_id=TARGET, case_id="T-1", as_of=instant, known_at=later, min_log_position=1
        ),
        "ListCases": pb.ListCasesRequest(
            agreement_id=TARGET,
            state=cases_pb2.CASE_STATE_OPEN,
            objective_id="availability",
            breached=True,
            at_risk=True,
            labels={"priority": "P1"},
            opened_from=build.timestamp(START),
            opened_before=later,
            due_from=build.timestamp(START),
            due_before=later,
            page_size=10,
        ),
        "TerminateAgreement": build.terminate_request(TARGET, NOW),  # each of its own agreement
        "AcknowledgeExclusion": ack_pb.AcknowledgeExclusionRequest(
            agreement_id=TARGET,
            exclusion_id="maintenance-1",
            customer_id="globex",
            expected_version=1,
            request_id="acknowledge-1",
        ),
        **_subscription_bases(instant, later),
        **claim_bases(TARGET, START.strftime("%Y-%m")),
        **_dispute_bases(),
    }


def _dispute_bases() -> dict[str, Message]:
    """Valid dispute requests (of the target's last month, closed by the server), each field
    set."""
    last_month = (NOW.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    subject = dpb.DisputeSubject(
        kind=dpb.DISPUTE_SUBJECT_KIND_PERIOD_RESULT,
        objective_id="availability",
        period_label=last_month,
        exclusion_id="",
        customer_id="",
    )
    return {
        "OpenDispute": dpb.OpenDisputeRequest(
            agreement_id=TARGET,
            dispute_id="d-1",
            subject=subject,
            reason="down",
            evidence="probe export",
            request_id="r-open",
        ),
        "ResolveDispute": dpb.ResolveDisputeRequest(
            agreement_id=TARGET,
            dispute_id="d-1",
            outcome=dpb.DISPUTE_OUTCOME_REJECTED,
            reason="no",
            expected_version=1,
            request_id="r-resolve",
        ),
        "GetDispute": dpb.GetDisputeRequest(
            agreement_id=TARGET, dispute_id="d-1", min_log_position=1
        ),
        "ListDisputes": dpb.ListDisputesRequest(
            agreement_id=TARGET,
            customer_id="globex",
            state=dpb.DISPUTE_STATE_OPEN,
            page_size=10,
            min_log_position=1,
        ),
    }


def _subscription_bases(instant: Timestamp, later: Timestamp) -> dict[str, Message]:
    """A valid request of every subscription method, each of its optional parts present."""
    subscribe = svc.subscribe("initech", "premium", START, end=NOW + timedelta(days=400))
    subscribe.request_id = "subscribe-1"
    change = svc.change_tier("globex", "premium", START + timedelta(days=20))
    change.fee.CopyFrom(svc.fee("1200.00"))
    change.expected_version = 1
    change.request_id = "change-1"
    end = svc.end("hooli", NOW - timedelta(days=1))
    end.expected_version = 1
    end.request_id = "end-1"
    return {
        "SubscribeCustomer": subscribe,
        "ChangeSubscriptionTier": change,
        "EndSubscription": end,
        "GetSubscription": pb.GetSubscriptionRequest(
            agreement_id=svc.SERVICE,
            customer_id="globex",
            as_of=instant,
            known_at=later,
            min_log_position=1,
        ),
        "ListSubscriptions": pb.ListSubscriptionsRequest(
            agreement_id=svc.SERVICE, tier_id="basic", page_size=10, min_log_position=1
        ),
        "ListCustomerSubscriptions": pb.ListCustomerSubscriptionsRequest(
            customer_id="globex", page_size=10, min_log_position=1
        ),
    }


def _service_bases() -> list[tuple[str, Message]]:
    """More valid requests whose extremes reach the fields of a service SLA: its tiers, an
    exclusion of one subscriber, a tier's and a subscriber's compliance, a subscriber's
    recalculation."""
    sign = svc.sign_service(START, START, agreement_id="x-service")
    sign.terms.tiers[0].objectives[0].schedule.CopyFrom(
        terms_pb2.Schedule(days=[1, 2, 3, 4, 5], start_minute=480, end_minute=1080)
    )
    amend = build.amend_request(svc.SERVICE, START, START + timedelta(days=1))
    amend.terms.CopyFrom(svc.service_terms(START))
    exclusion = terms_pb2.Exclusion(
        exclusion_id="customer-caused-1",
        start=build.timestamp(START + timedelta(days=3)),
        end=build.timestamp(START + timedelta(days=4)),
        kind=terms_pb2.EXCLUSION_KIND_CUSTOMER_CAUSED,
        reason="their firewall",
        objective_ids=["availability"],
        customer_id="globex",
    )
    return [
        ("SignAgreement", sign),
        ("AmendAgreement", amend),
        (
            "RecordExclusion",
            pb.RecordExclusionRequest(agreement_id=svc.SERVICE, exclusion=exclusion),
        ),
        (
            "GetCompliance",
            pb.GetComplianceRequest(
                agreement_id=svc.SERVICE, objective_id="availability", customer_id="globex"
            ),
        ),
        ("GetCompliance", pb.GetComplianceRequest(agreement_id=svc.SERVICE, tier_id="basic")),
        (
            "RecalculatePeriod",
            pb.RecalculatePeriodRequest(
                agreement_id=svc.SERVICE,
                objective_id="availability",
                period_label=START.strftime("%Y-%m"),
                customer_id="globex",
            ),
        ),
    ]


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
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


def test_extremes_in_every_field_of_every_request_never_reach_internal_and_leave_it_sound(
    fuzzed: Stub,
) -> None:
    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["LedgerService"].methods}
    bases = _bases()
    assert set(bases) == methods
    internal, accepted = [], []
    for index, (method, base) in enumerate([*bases.items(), *_service_bases()]):
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
