"""A subscriber's token claims its own credit of a service SLA, and no other subscriber's.

The service SLA cloud-sla (tests/service_sla_requests.py) with claims due within 3650 days;
globex and initech subscribe to basic (99.0%: below -> 10%) for EUR 1,000.00 a month from April
2026. April's one reading, 980 of 1,000 = 98.0% < 99.0 -> 10% = EUR 100.00 each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import (
    claim_rules_pb2,
    claims_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
)
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.claim_requests import APR, MAY, TIMEOUT, april, auth, write_claim_tokens

Stub = ledger_service_pb2_grpc.LedgerServiceStub


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Stub:
    tokens = write_claim_tokens(tmp_path / "tokens.json")
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub = Stub(server.channel)
    admin = auth("admin")
    sign = svc.sign_service(APR, APR)
    sign.terms.claim_rule.CopyFrom(claim_rules_pb2.ClaimRule(deadline_days=3650))
    stub.SignAgreement(sign, timeout=TIMEOUT, metadata=admin)
    for customer in ("globex", "initech"):
        stub.SubscribeCustomer(svc.subscribe(customer, "basic", APR), metadata=admin)
    reading = build.reading("availability", APR + timedelta(days=3), good=980, total=1000)
    stub.RecordMeasurements(
        ledger_service_pb2.RecordMeasurementsRequest(
            agreement_id=svc.SERVICE, measurements=[reading]
        ),
        timeout=TIMEOUT,
        metadata=admin,
    )
    stub.ClosePeriod(
        ledger_service_pb2.ClosePeriodRequest(agreement_id=svc.SERVICE, until=build.timestamp(MAY)),
        timeout=TIMEOUT,
        metadata=admin,
    )
    return stub


def claim(stub: Stub, who: str, customer_id: str) -> Any:
    request = claims_pb2.ClaimCreditRequest(
        credit=april(svc.SERVICE, customer_id), claim_reference="T-1"
    )
    return stub.ClaimCredit(request, timeout=TIMEOUT, metadata=auth(who))


def test_a_subscribers_token_claims_its_own_credit(stub: Stub) -> None:
    reply = claim(stub, "globex-customer", "globex")

    assert (reply.credit.credit.customer_id, reply.credit.claimed.amount) == ("globex", "100.00")


def test_a_subscribers_token_may_not_claim_another_subscribers_credit(stub: Stub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        claim(stub, "globex-customer", "initech")

    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
