"""Builders of valid sla.ledger.v1 requests, shared by the servicer and API tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from service.generated.sla.ledger.v1 import ledger_service_pb2, terms_pb2


def timestamp(instant: datetime) -> Timestamp:
    """A Timestamp for a timezone-aware instant."""
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def proto_terms(
    term_start: datetime, fee_amount: str = "1000.00", **overrides: Any
) -> terms_pb2.AgreementTerms:
    """Valid terms with one monthly availability objective; keyword overrides replace fields."""
    fields: dict[str, Any] = {
        "provider": terms_pb2.Party(party_id="acme-cloud", display_name="ACME Cloud"),
        "customer": terms_pb2.Party(party_id="globex", display_name="Globex Corporation"),
        "kind": terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
        "services": ["compute", "storage"],
        "time_zone": "Europe/Berlin",
        "fee": terms_pb2.Fee(
            amount=terms_pb2.Money(currency_code="EUR", amount=fee_amount),
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
        "term_start": timestamp(term_start),
        "objectives": [
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent="99.9",
                period=terms_pb2.PERIOD_UNIT_MONTH,
            )
        ],
    }
    fields.update(overrides)
    return terms_pb2.AgreementTerms(**fields)


def sign_request(
    agreement_id: str, term_start: datetime, signed_at: datetime, **term_overrides: Any
) -> ledger_service_pb2.SignAgreementRequest:
    """A request to sign valid terms."""
    return ledger_service_pb2.SignAgreementRequest(
        agreement_id=agreement_id,
        terms=proto_terms(term_start, **term_overrides),
        signed_at=timestamp(signed_at),
    )
