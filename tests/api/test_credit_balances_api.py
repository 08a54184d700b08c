"""GetCreditBalance by state at as_of / known_at, and ListCredits by state, on a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.generated.sla.ledger.v1 import (
    claim_rules_pb2,
    claims_pb2,
    credit_refs_pb2,
    credit_states_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub
pb = ledger_service_pb2
BUCKETS = ("earned", "eligible", "claimed", "approved", "denied", "forfeited", "settled")
JANUARY_CREDIT = credit_refs_pb2.CreditRef(
    agreement_id="sla-1", objective_id="availability", period_label="2026-01"
)


def _breached_january(stub: Stub, claim_rule: claim_rules_pb2.ClaimRule | None = None) -> int:
    """Sign, record a January at 99.865591% (< 99.9%: 10% of EUR 1,000.00 = EUR 100.00) and
    close it; the close's log position."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    extra: dict[str, Any] = {} if claim_rule is None else {"claim_rule": claim_rule}
    stub.SignAgreement(
        build.sign_request(
            "sla-1", JANUARY, JANUARY, time_zone="UTC", credit_policy=policy, **extra
        ),
        timeout=TIMEOUT,
    )
    readings = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    for hour in range(31 * 24):
        reading = readings.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good, reading.counts.total = (900 if hour < 10 else 1000), 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = pb.ClosePeriodRequest(agreement_id="sla-1")
    close.until.FromDatetime(FEBRUARY)
    position: int = stub.ClosePeriod(close, timeout=TIMEOUT).log_position
    return position


def _balance(stub: Stub, position: int, **instants: datetime) -> dict[str, str]:
    request = pb.GetCreditBalanceRequest(customer_id="globex", min_log_position=position)
    for name, instant in instants.items():
        getattr(request, name).FromDatetime(instant)
    [balance] = stub.GetCreditBalance(request, timeout=TIMEOUT).balances
    amounts = {name: getattr(balance, name).amount for name in (*BUCKETS, "outstanding")}
    return {"credits": balance.credits.amount, **amounts}


def _violations(call: Any) -> list[str]:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(refused.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    return [v.field for v in bad_request.field_violations]


def test_a_credit_without_a_claim_rule_reads_approved_and_outstanding(stub: Stub) -> None:
    position = _breached_january(stub)

    assert _balance(stub, position) == {
        "credits": "100.00",
        "earned": "100.00",
        "eligible": "0.00",
        "claimed": "0.00",
        "approved": "100.00",
        "denied": "0.00",
        "forfeited": "0.00",
        "settled": "0.00",
        "outstanding": "100.00",
    }


def test_as_of_before_the_period_ended_the_credit_is_not_yet_earned(stub: Stub) -> None:
    """As of 15 January the period had not ended: nothing earned by state; the net credits
    (all lines, as before) still say 100.00."""
    position = _breached_january(stub)

    balance = _balance(stub, position, as_of=JANUARY + timedelta(days=14))

    assert (balance["credits"], balance["earned"], balance["outstanding"]) == (
        "100.00",
        "0.00",
        "0.00",
    )


def test_known_at_before_the_close_nothing_is_earned(stub: Stub) -> None:
    position = _breached_january(stub)

    balance = _balance(stub, position, known_at=FEBRUARY)

    assert balance["earned"] == "0.00"


def test_a_claimed_credit_is_listed_and_balanced_as_claimed(stub: Stub) -> None:
    """Claims due within 3,650 days: January's EUR 100.00 starts eligible, then is claimed."""
    _breached_january(stub, claim_rule=claim_rules_pb2.ClaimRule(deadline_days=3650))
    claimed = stub.ClaimCredit(
        claims_pb2.ClaimCreditRequest(
            credit=JANUARY_CREDIT, claim_reference="T-1", evidence="status page"
        ),
        timeout=TIMEOUT,
    )
    position = claimed.log_position

    listed = stub.ListCredits(
        pb.ListCreditsRequest(
            states=[credit_states_pb2.CREDIT_STATE_CLAIMED], min_log_position=position
        ),
        timeout=TIMEOUT,
    )
    eligible = stub.ListCredits(
        pb.ListCreditsRequest(states=[credit_states_pb2.CREDIT_STATE_ELIGIBLE]), timeout=TIMEOUT
    )

    assert [(c.period_label, c.kind, c.state) for c in listed.credits] == [
        ("2026-01", "credit_issued", credit_states_pb2.CREDIT_STATE_CLAIMED)
    ]
    assert list(eligible.credits) == []
    balance = _balance(stub, position)
    assert (balance["claimed"], balance["approved"], balance["outstanding"]) == (
        "100.00",
        "0.00",
        "0.00",
    )


def test_every_listed_line_carries_its_credits_state(stub: Stub) -> None:
    position = _breached_january(stub)

    listed = stub.ListCredits(pb.ListCreditsRequest(min_log_position=position), timeout=TIMEOUT)

    assert [c.state for c in listed.credits] == [credit_states_pb2.CREDIT_STATE_APPROVED]


def test_unknown_and_unspecified_states_are_refused_naming_each(stub: Stub) -> None:
    request = pb.ListCreditsRequest(
        states=[credit_states_pb2.CREDIT_STATE_APPROVED, cast(Any, 0), cast(Any, 99)]
    )

    assert _violations(lambda: stub.ListCredits(request, timeout=TIMEOUT)) == [
        "states[1]",
        "states[2]",
    ]


def test_more_states_than_there_are_is_refused(stub: Stub) -> None:
    request = pb.ListCreditsRequest(states=[credit_states_pb2.CREDIT_STATE_APPROVED] * 8)

    assert _violations(lambda: stub.ListCredits(request, timeout=TIMEOUT)) == ["states"]


def test_balance_instants_outside_the_range_are_refused_together(stub: Stub) -> None:
    request = pb.GetCreditBalanceRequest(customer_id="globex")
    request.as_of.seconds = -1
    request.known_at.seconds = 2**40

    assert _violations(lambda: stub.GetCreditBalance(request, timeout=TIMEOUT)) == [
        "as_of",
        "known_at",
    ]
