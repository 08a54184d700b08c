"""ClaimCredit, DecideClaim and SettleCredits refuse malformed requests at the door:
INVALID_ARGUMENT naming every bad field in one reply, before anything is read or written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import grpc
import pytest
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import claims_pb2, credit_refs_pb2, terms_pb2

Fields = Callable[[str, Message], list[str]]
BAD_CREDIT = credit_refs_pb2.CreditRef(
    agreement_id="bad id!", customer_id="?", objective_id="", period_label="2026-13-99"
)
CREDIT_FIELDS = [
    "credit.agreement_id",
    "credit.objective_id",
    "credit.customer_id",
    "credit.period_label",
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


def test_a_claim_names_every_bad_field_at_once(refused_fields: Fields) -> None:
    request = claims_pb2.ClaimCreditRequest(
        credit=BAD_CREDIT, claim_reference="  ", evidence="x" * 4097, expected_version=0
    )

    assert refused_fields("ClaimCredit", request) == [
        *CREDIT_FIELDS,
        "claim_reference",
        "evidence",
        "expected_version",
    ]


def test_a_claim_without_a_credit_names_it(refused_fields: Fields) -> None:
    fields = refused_fields("ClaimCredit", claims_pb2.ClaimCreditRequest(claim_reference="T-1"))

    assert fields[0] == "credit"


def test_a_decision_needs_an_amount(refused_fields: Fields) -> None:
    request = claims_pb2.DecideClaimRequest(
        credit=credit_refs_pb2.CreditRef(
            agreement_id="sla-1", objective_id="availability", period_label="2026-04"
        )
    )

    assert refused_fields("DecideClaim", request) == ["approved"]


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        (terms_pb2.Money(currency_code="EUR", amount="-1.00"), "approved.amount"),
        (terms_pb2.Money(currency_code="EUR", amount="1.001"), "approved.amount"),
        (terms_pb2.Money(currency_code="EUR", amount="1e3"), "approved.amount"),
        (terms_pb2.Money(currency_code="XXX", amount="1.00"), "approved.currency_code"),
    ],
)
def test_a_decision_refuses_an_amount_out_of_range(
    refused_fields: Fields, amount: terms_pb2.Money, field: str
) -> None:
    request = claims_pb2.DecideClaimRequest(
        credit=credit_refs_pb2.CreditRef(
            agreement_id="sla-1", objective_id="availability", period_label="2026-04"
        ),
        approved=amount,
    )

    assert refused_fields("DecideClaim", request) == [field]


def test_an_empty_settlement_batch_is_refused(refused_fields: Fields) -> None:
    assert refused_fields("SettleCredits", claims_pb2.SettleCreditsRequest()) == ["settlements"]


def test_a_settlement_names_every_bad_field_of_every_settlement(refused_fields: Fields) -> None:
    good_credit = credit_refs_pb2.CreditRef(
        agreement_id="sla-1", objective_id="availability", period_label="2026-04"
    )
    request = claims_pb2.SettleCreditsRequest(
        settlements=[
            claims_pb2.Settlement(
                credit=good_credit,
                settlement_id="s 1",
                method=claims_pb2.SETTLEMENT_METHOD_INVOICE,
                amount=terms_pb2.Money(currency_code="EUR", amount="0"),
            ),
            claims_pb2.Settlement(
                credit=good_credit,
                settlement_id="s-2",
                method=claims_pb2.SETTLEMENT_METHOD_PAID_OUT,
                invoice_date="2026-06-01",
            ),
            claims_pb2.Settlement(
                credit=good_credit,
                settlement_id="s-3",
                method=cast(claims_pb2.SettlementMethod, 9),
            ),
        ]
    )

    assert refused_fields("SettleCredits", request) == [
        "settlements[0].settlement_id",
        "settlements[0].invoice_reference",
        "settlements[0].invoice_date",
        "settlements[0].amount.amount",
        "settlements[1].invoice_date",
        "settlements[1].amount",
        "settlements[2].method",
        "settlements[2].amount",
    ]


def test_more_than_a_thousand_settlements_are_refused(refused_fields: Fields) -> None:
    settlement = claims_pb2.Settlement(settlement_id="s-1")
    request = claims_pb2.SettleCreditsRequest(settlements=[settlement] * 1001)

    assert refused_fields("SettleCredits", request) == ["settlements"]
