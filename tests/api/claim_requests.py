"""Requests of the claim lifecycle for API tests: a claim-driven agreement with April 2026's
credit of EUR 100.00 (30 readings at 990 of 1,000 good = 99.0% < 99.9 -> 10% of EUR 1,000.00),
and the claim, decision and settlement requests on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import (
    claim_rules_pb2,
    claims_pb2,
    credit_refs_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build

APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
TIMEOUT = 10
CLAIM_TOKENS = {
    "admin": ("admin", []),
    "writer": ("writer", []),
    "finance": ("finance", []),
    "provider": ("provider", []),
    "globex-customer": ("customer", ["globex"]),
    "initech-customer": ("customer", ["initech"]),
}


def write_claim_tokens(path: Path) -> Path:
    """A token file of CLAIM_TOKENS, each token being its name + "-token"."""
    entries = [
        {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
        | ({"customers": customers} if customers else {})
        for name, (role, customers) in CLAIM_TOKENS.items()
    ]
    path.write_text(json.dumps(entries))
    return path


def auth(name: str) -> tuple[tuple[str, str]]:
    """Call metadata presenting the token of that name."""
    return (("authorization", f"Bearer {name}-token"),)


def eur(amount: str) -> terms_pb2.Money:
    """An amount in euros."""
    return terms_pb2.Money(currency_code="EUR", amount=amount)


def april(agreement_id: str, customer_id: str = "") -> credit_refs_pb2.CreditRef:
    """April 2026's availability credit of an agreement."""
    return credit_refs_pb2.CreditRef(
        agreement_id=agreement_id,
        customer_id=customer_id,
        objective_id="availability",
        period_label="2026-04",
    )


def claim_driven_sign_request(
    agreement_id: str, rule: claim_rules_pb2.ClaimRule | None = None
) -> ledger_service_pb2.SignAgreementRequest:
    """Globex's agreement from April 2026 (UTC), 10% below 99.9, claims within 3650 days."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    return build.sign_request(
        agreement_id,
        APR,
        APR,
        time_zone="UTC",
        credit_policy=policy,
        claim_rule=rule or claim_rules_pb2.ClaimRule(deadline_days=3650, minimum_amount="20.00"),
    )


def april_credit(
    stub: ledger_service_pb2_grpc.LedgerServiceStub,
    agreement_id: str,
    metadata: Any = (),
    rule: claim_rules_pb2.ClaimRule | None = None,
) -> None:
    """Sign the agreement, record April's readings and close April."""
    stub.SignAgreement(
        claim_driven_sign_request(agreement_id, rule), timeout=TIMEOUT, metadata=metadata
    )
    noon = APR + timedelta(hours=12)
    stub.RecordMeasurements(
        ledger_service_pb2.RecordMeasurementsRequest(
            agreement_id=agreement_id,
            measurements=[
                build.reading("availability", noon + timedelta(days=d), good=990, total=1000)
                for d in range(30)
            ],
        ),
        timeout=TIMEOUT,
        metadata=metadata,
    )
    stub.ClosePeriod(
        ledger_service_pb2.ClosePeriodRequest(
            agreement_id=agreement_id, until=build.timestamp(MAY)
        ),
        timeout=TIMEOUT,
        metadata=metadata,
    )


def claim_request(agreement_id: str, **fields: Any) -> claims_pb2.ClaimCreditRequest:
    """A claim of April's credit, reference T-1."""
    values: dict[str, Any] = {
        "credit": april(agreement_id),
        "claim_reference": "T-1",
        "evidence": "status page: 7 hours down on 12 April",
    }
    return claims_pb2.ClaimCreditRequest(**(values | fields))


def decide_request(
    agreement_id: str, approved: str, **fields: Any
) -> claims_pb2.DecideClaimRequest:
    """A decision approving approved EUR of April's claim."""
    values: dict[str, Any] = {
        "credit": april(agreement_id),
        "approved": eur(approved),
        "reason": "4.2 of the 7 hours were ours",
    }
    return claims_pb2.DecideClaimRequest(**(values | fields))


def settlement(agreement_id: str, settlement_id: str, amount: str) -> claims_pb2.Settlement:
    """A settlement of April's credit on invoice INV-2026-06 of 1 June 2026."""
    return claims_pb2.Settlement(
        credit=april(agreement_id),
        settlement_id=settlement_id,
        method=claims_pb2.SETTLEMENT_METHOD_INVOICE,
        invoice_reference="INV-2026-06",
        invoice_date="2026-06-01",
        amount=eur(amount),
    )
