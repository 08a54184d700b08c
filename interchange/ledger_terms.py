"""An agreement's terms read from a running ledger (GetAgreement), as any client reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from reports.connection import LedgerConnection
from service.generated.sla.ledger.v1 import ledger_service_pb2 as service
from service.generated.sla.ledger.v1 import terms_pb2


@dataclass(frozen=True)
class AgreementTerms:
    """The terms in force at an instant, their version and how many exclusions were recorded."""

    agreement_id: str
    terms: terms_pb2.AgreementTerms
    terms_version: int
    exclusions: int


def read_agreement(
    connection: LedgerConnection, agreement_id: str, as_of: datetime | None
) -> AgreementTerms:
    """GetAgreement at as_of (now when None); grpc.RpcError when the ledger refuses."""
    request = service.GetAgreementRequest(agreement_id=agreement_id)
    if as_of is not None:
        stamp = Timestamp()
        stamp.FromDatetime(as_of)
        request.as_of.CopyFrom(stamp)
    reply = connection.stub.GetAgreement(request, timeout=connection.timeout)
    agreement = reply.agreement
    return AgreementTerms(
        agreement_id, agreement.terms, agreement.terms_version, len(reply.exclusions)
    )
