"""Hostile claim lifecycle requests for the fuzz tests: ClaimCredit, DecideClaim and
SettleCredits with random and malformed fields (a hypothesis strategy), and a valid request of
each with every optional part present (for the extremes walk of tests/hostile_requests.py)."""

from __future__ import annotations

from typing import Any, cast

from google.protobuf.message import Message
from hypothesis import strategies as st

from service.generated.sla.ledger.v1 import claims_pb2, credit_refs_pb2, terms_pb2

_texts = st.text(max_size=300) | st.sampled_from(["", "sla-1", "availability", "x" * 5000])
_numbers = st.integers(-(2**63), 2**63 - 1)
_amounts = st.sampled_from(["100.00", "0", "-1", "NaN", "1e3", "0.001", "", "9" * 40]) | _texts
_currencies = st.sampled_from(["EUR", "XXX", "", "JPY", "eur"])


@st.composite
def credit_refs(draw: st.DrawFn) -> credit_refs_pb2.CreditRef:
    """A credit named with hostile identifiers and labels."""
    return credit_refs_pb2.CreditRef(
        agreement_id=draw(st.sampled_from(["sla-1", "nope", ""]) | _texts),
        customer_id=draw(st.sampled_from(["", "globex", "initech"]) | _texts),
        objective_id=draw(st.sampled_from(["availability", ""]) | _texts),
        period_label=draw(st.sampled_from(["2026-01", "2026-13", "2026-W60", ""]) | _texts),
    )


def _money(draw: st.DrawFn) -> terms_pb2.Money:
    return terms_pb2.Money(currency_code=draw(_currencies), amount=draw(_amounts))


@st.composite
def claim_calls(draw: st.DrawFn) -> tuple[str, Any]:
    """A ClaimCredit, DecideClaim or SettleCredits request, hostile."""
    kind = draw(st.sampled_from(["ClaimCredit", "DecideClaim", "SettleCredits"]))
    request: Any
    if kind == "ClaimCredit":
        request = claims_pb2.ClaimCreditRequest(
            credit=draw(credit_refs()), claim_reference=draw(_texts), evidence=draw(_texts)
        )
    elif kind == "DecideClaim":
        request = claims_pb2.DecideClaimRequest(credit=draw(credit_refs()), reason=draw(_texts))
        if draw(st.booleans()):
            request.approved.CopyFrom(_money(draw))
    else:
        request = claims_pb2.SettleCreditsRequest()
        for _ in range(draw(st.integers(0, 3))):
            settlement = request.settlements.add(
                credit=draw(credit_refs()),
                settlement_id=draw(st.sampled_from(["s-1", "bad id!", ""]) | _texts),
                method=cast(claims_pb2.SettlementMethod, draw(st.integers(-1, 5))),
                invoice_reference=draw(_texts),
                invoice_date=draw(st.sampled_from(["2026-06-01", "2026-02-30", ""]) | _texts),
            )
            settlement.amount.CopyFrom(_money(draw))
            if draw(st.booleans()):
                settlement.expected_version = draw(_numbers)
    if kind != "SettleCredits" and draw(st.booleans()):
        request.expected_version = draw(_numbers)
    request.request_id = draw(st.sampled_from(["", "r-1", "bad id!"]))
    return kind, request


def claim_bases(agreement_id: str, period_label: str) -> dict[str, Message]:
    """A valid request of every claim method on one credit, each optional part present."""
    credit = credit_refs_pb2.CreditRef(
        agreement_id=agreement_id,
        customer_id="globex",
        objective_id="availability",
        period_label=period_label,
    )
    eur = terms_pb2.Money(currency_code="EUR", amount="10.00")
    return {
        "ClaimCredit": claims_pb2.ClaimCreditRequest(
            credit=credit,
            claim_reference="T-1",
            evidence="status page",
            expected_version=1,
            request_id="claim-1",
        ),
        "DecideClaim": claims_pb2.DecideClaimRequest(
            credit=credit, approved=eur, reason="partly", expected_version=1, request_id="d-1"
        ),
        "SettleCredits": claims_pb2.SettleCreditsRequest(
            settlements=[
                claims_pb2.Settlement(
                    credit=credit,
                    settlement_id="s-1",
                    method=claims_pb2.SETTLEMENT_METHOD_INVOICE,
                    invoice_reference="INV-1",
                    invoice_date="2026-06-01",
                    amount=eur,
                    expected_version=1,
                )
            ],
            request_id="settle-1",
        ),
    }
