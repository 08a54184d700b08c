"""ClaimCredit, DecideClaim and SettleCredits on a real server with tokens: the customer claims
its own credits only, the provider decides, finance settles; retries and races.

April's credit is EUR 100.00 (tests/api/claim_requests.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import claims_pb2, ledger_service_pb2_grpc
from tests.api.claim_requests import (
    TIMEOUT,
    april_credit,
    auth,
    claim_request,
    decide_request,
    settlement,
    write_claim_tokens,
)

Stub = ledger_service_pb2_grpc.LedgerServiceStub


@pytest.fixture
def stub(
    start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path
) -> Iterator[Stub]:
    tokens = write_claim_tokens(tmp_path / "tokens.json")
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub = Stub(server.channel)
    april_credit(stub, "globex-1", auth("admin"))
    yield stub


def code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def claim(stub: Stub, who: str, **fields: Any) -> claims_pb2.ClaimCreditResponse:
    reply: claims_pb2.ClaimCreditResponse = stub.ClaimCredit(
        claim_request("globex-1", **fields), timeout=TIMEOUT, metadata=auth(who)
    )
    return reply


def test_the_customer_claims_its_credit_and_sees_it_claimed(stub: Stub) -> None:
    reply = claim(stub, "globex-customer")

    assert (reply.credit.status, reply.credit.claimed.amount, reply.credit.eligible.amount) == (
        "claimed",
        "100.00",
        "0.00",
    )
    assert reply.log_position > 0


def test_another_customers_token_finds_no_such_agreement(stub: Stub) -> None:
    assert code(lambda: claim(stub, "initech-customer")) == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("who", ["writer", "provider", "finance"])
def test_only_customers_and_admins_claim(stub: Stub, who: str) -> None:
    assert code(lambda: claim(stub, who)) == grpc.StatusCode.PERMISSION_DENIED


def test_the_provider_approves_part_of_a_claim(stub: Stub) -> None:
    claim(stub, "globex-customer")

    reply = stub.DecideClaim(
        decide_request("globex-1", "60.00"), timeout=TIMEOUT, metadata=auth("provider")
    )

    assert (reply.credit.status, reply.credit.approved.amount, reply.credit.denied.amount) == (
        "approved",
        "60.00",
        "40.00",
    )


@pytest.mark.parametrize("who", ["writer", "globex-customer", "finance"])
def test_only_the_provider_side_decides(stub: Stub, who: str) -> None:
    claim(stub, "globex-customer")

    call = lambda: stub.DecideClaim(  # noqa: E731
        decide_request("globex-1", "60.00"), timeout=TIMEOUT, metadata=auth(who)
    )

    assert code(call) == grpc.StatusCode.PERMISSION_DENIED


def test_finance_settles_what_was_approved(stub: Stub) -> None:
    claim(stub, "globex-customer")
    stub.DecideClaim(
        decide_request("globex-1", "60.00"), timeout=TIMEOUT, metadata=auth("provider")
    )

    reply = stub.SettleCredits(
        claims_pb2.SettleCreditsRequest(settlements=[settlement("globex-1", "s-1", "60.00")]),
        timeout=TIMEOUT,
        metadata=auth("finance"),
    )

    assert [(c.status, c.settled.amount, c.outstanding.amount) for c in reply.credits] == [
        ("settled", "60.00", "0.00")
    ]


def test_a_settlement_above_what_is_approved_is_refused(stub: Stub) -> None:
    claim(stub, "globex-customer")
    stub.DecideClaim(
        decide_request("globex-1", "60.00"), timeout=TIMEOUT, metadata=auth("provider")
    )

    call = lambda: stub.SettleCredits(  # noqa: E731
        claims_pb2.SettleCreditsRequest(settlements=[settlement("globex-1", "s-1", "60.01")]),
        timeout=TIMEOUT,
        metadata=auth("finance"),
    )

    assert code(call) == grpc.StatusCode.FAILED_PRECONDITION


def test_a_retried_claim_gets_the_first_reply(stub: Stub) -> None:
    first = claim(stub, "globex-customer", request_id="claim-1")

    again = claim(stub, "globex-customer", request_id="claim-1")

    assert again == first


def test_a_request_id_reused_for_another_claim_is_already_exists(stub: Stub) -> None:
    claim(stub, "globex-customer", request_id="claim-1")

    reused = lambda: claim(stub, "globex-customer", request_id="claim-1", claim_reference="T-2")  # noqa: E731

    assert code(reused) == grpc.StatusCode.ALREADY_EXISTS


def test_a_second_claim_finds_nothing_eligible(stub: Stub) -> None:
    claim(stub, "globex-customer")

    assert code(lambda: claim(stub, "globex-customer")) == grpc.StatusCode.FAILED_PRECONDITION


def test_a_decision_on_a_stale_version_is_aborted(stub: Stub) -> None:
    version = claim(stub, "globex-customer").credit.version

    call = lambda: stub.DecideClaim(  # noqa: E731
        decide_request("globex-1", "60.00", expected_version=version - 1),
        timeout=TIMEOUT,
        metadata=auth("provider"),
    )

    assert code(call) == grpc.StatusCode.ABORTED


def test_a_settlement_retried_with_its_request_id_settles_once(stub: Stub) -> None:
    claim(stub, "globex-customer")
    stub.DecideClaim(
        decide_request("globex-1", "100.00"), timeout=TIMEOUT, metadata=auth("provider")
    )
    request = claims_pb2.SettleCreditsRequest(
        settlements=[settlement("globex-1", "s-1", "30.00")], request_id="settle-1"
    )

    first = stub.SettleCredits(request, timeout=TIMEOUT, metadata=auth("finance"))
    again = stub.SettleCredits(request, timeout=TIMEOUT, metadata=auth("finance"))

    assert again == first
    assert first.credits[0].outstanding.amount == "70.00"
