"""A valid request of every LedgerService method, each of its optional parts set, for the
extremes walk of tests/api/test_hostile_extremes.py to vary field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

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
from tests.api.hostile_discovery import discovery_bases
from tests.hostile_claims import claim_bases

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
NOW = datetime.now(UTC)
START = datetime(NOW.year, NOW.month, 1, tzinfo=UTC) - timedelta(days=62)  # two closed months
TARGET = "target"


def opened_milestone(case_id: str, at: datetime) -> cases_pb2.CaseMilestone:
    """The opening milestone of a P1 case at an instant."""
    return cases_pb2.CaseMilestone(
        case_id=case_id,
        kind=cases_pb2.MILESTONE_KIND_OPENED,
        occurred_at=build.timestamp(at),
        labels={"priority": "P1"},
    )


def request_bases() -> dict[str, Message]:
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
    opened = opened_milestone("T-2", NOW - timedelta(minutes=30))
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
        "ListEvents": pb.ListEventsRequest(
            agreement_id=TARGET,
            page_size=10,
            event_types=["period_closed"],
            recorded_from=build.timestamp(START),
            recorded_to=later,
        ),
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
        **subscription_bases(instant, later),
        **claim_bases(TARGET, START.strftime("%Y-%m")),
        **dispute_bases(),
        **discovery_bases(TARGET, START, NOW),
    }


def dispute_bases() -> dict[str, Message]:
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


def subscription_bases(instant: Timestamp, later: Timestamp) -> dict[str, Message]:
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


def service_bases() -> list[tuple[str, Message]]:
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
