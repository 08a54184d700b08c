"""The ledger reads the portal's pages make, each with the caller's token and deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.time_travel import TimeTravel, timestamp
from reports.connection import LedgerConnection
from service.generated.sla.ledger.v1 import (
    compliance_series_pb2,
    discovery_pb2,
    ledger_service_pb2,
    period_history_pb2,
)

MAX_PERIOD_PAGES = 20
_MICROSECOND = timedelta(microseconds=1)


def get_agreement(
    ledger: LedgerConnection, agreement_id: str, travel: TimeTravel
) -> ledger_service_pb2.GetAgreementResponse:
    """GetAgreement at the page's instants."""
    request = ledger_service_pb2.GetAgreementRequest(
        agreement_id=agreement_id,
        as_of=travel.as_of_stamp(),
        known_at=travel.known_at_stamp(),
    )
    answer: ledger_service_pb2.GetAgreementResponse = ledger.stub.GetAgreement(
        request, timeout=ledger.timeout
    )
    return answer


def get_compliance(
    ledger: LedgerConnection,
    agreement_id: str,
    as_of: datetime | None,
    known_at: datetime | None,
    objective_id: str = "",
    customer_id: str = "",
    tier_id: str = "",
) -> ledger_service_pb2.GetComplianceResponse:
    """GetCompliance of an agreement (or one objective) at as_of, known at known_at."""
    request = ledger_service_pb2.GetComplianceRequest(
        agreement_id=agreement_id,
        objective_id=objective_id,
        as_of=None if as_of is None else timestamp(as_of),
        known_at=None if known_at is None else timestamp(known_at),
        customer_id=customer_id,
        tier_id=tier_id,
    )
    answer: ledger_service_pb2.GetComplianceResponse = ledger.stub.GetCompliance(
        request, timeout=ledger.timeout
    )
    return answer


def list_agreements(
    ledger: LedgerConnection, request: discovery_pb2.ListAgreementsRequest
) -> discovery_pb2.ListAgreementsResponse:
    """One page of ListAgreements."""
    answer: discovery_pb2.ListAgreementsResponse = ledger.stub.ListAgreements(
        request, timeout=ledger.timeout
    )
    return answer


def period_results(
    ledger: LedgerConnection,
    agreement_id: str,
    travel: TimeTravel,
    objective_id: str = "",
    customer_id: str = "",
    window_start_from: datetime | None = None,
    window_start_to: datetime | None = None,
) -> list[period_history_pb2.PeriodResult]:
    """The agreement's closed periods known at known_at (bounded: MAX_PERIOD_PAGES pages)."""
    request = period_history_pb2.ListPeriodResultsRequest(
        agreement_id=agreement_id,
        customer_id=customer_id,
        objective_id=objective_id,
        known_at=travel.known_at_stamp(),
        window_start_from=None if window_start_from is None else timestamp(window_start_from),
        window_start_to=None if window_start_to is None else timestamp(window_start_to),
        page_size=500,
    )
    found: list[period_history_pb2.PeriodResult] = []
    for _ in range(MAX_PERIOD_PAGES):
        page = ledger.stub.ListPeriodResults(request, timeout=ledger.timeout)
        found.extend(page.periods)
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    return found


def compliance_series(
    ledger: LedgerConnection,
    request: compliance_series_pb2.GetComplianceSeriesRequest,
) -> compliance_series_pb2.GetComplianceSeriesResponse:
    """GetComplianceSeries."""
    answer: compliance_series_pb2.GetComplianceSeriesResponse = ledger.stub.GetComplianceSeries(
        request, timeout=ledger.timeout
    )
    return answer


def list_credits(
    ledger: LedgerConnection, request: ledger_service_pb2.ListCreditsRequest
) -> ledger_service_pb2.ListCreditsResponse:
    """One page of the credit ledger."""
    answer: ledger_service_pb2.ListCreditsResponse = ledger.stub.ListCredits(
        request, timeout=ledger.timeout
    )
    return answer


def credit_balances(
    ledger: LedgerConnection, customer_id: str, travel: TimeTravel
) -> ledger_service_pb2.GetCreditBalanceResponse:
    """A customer's balances at as_of, known at known_at."""
    request = ledger_service_pb2.GetCreditBalanceRequest(
        customer_id=customer_id, as_of=travel.as_of_stamp(), known_at=travel.known_at_stamp()
    )
    answer: ledger_service_pb2.GetCreditBalanceResponse = ledger.stub.GetCreditBalance(
        request, timeout=ledger.timeout
    )
    return answer


def ledger_digest(ledger: LedgerConnection) -> ledger_service_pb2.GetLedgerDigestResponse:
    """The head of the hash chain."""
    answer: ledger_service_pb2.GetLedgerDigestResponse = ledger.stub.GetLedgerDigest(
        ledger_service_pb2.GetLedgerDigestRequest(),
        timeout=ledger.timeout,
    )
    return answer
