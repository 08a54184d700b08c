"""The typed queries: agreements, compliance, credits, events and the ledger digest."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sla_ledger_client._generated.sla.ledger.v1 import (
    credit_states_pb2,
    discovery_pb2,
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from sla_ledger_client.mapping import agreement, compliance, credit, summary
from sla_ledger_client.results import Agreement, AgreementSummary, Compliance, Credit, Digest
from sla_ledger_client.values import enum_number, optional_datetime, timestamp

MAX_PAGE_SIZE = 1000


def _check_page_size(page_size: int) -> int:
    if not 0 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 0 (the server's default) to {MAX_PAGE_SIZE}")
    return page_size


class Queries:
    """Typed queries over ``self.stub``; listings are iterators that fetch page after page."""

    stub: ledger_service_pb2_grpc.LedgerServiceStub

    def get_agreement(
        self,
        agreement_id: str,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> Agreement:
        """The agreement's terms in force at as_of (default now), as known at known_at."""
        request = ledger_service_pb2.GetAgreementRequest(agreement_id=agreement_id)
        if as_of is not None:
            request.as_of.CopyFrom(timestamp(as_of, "as_of"))
        if known_at is not None:
            request.known_at.CopyFrom(timestamp(known_at, "known_at"))
        return agreement(self.stub.GetAgreement(request).agreement)

    def get_compliance(
        self,
        agreement_id: str,
        *,
        objective_id: str = "",
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        min_log_position: int = 0,
        customer_id: str = "",
        tier_id: str = "",
    ) -> Compliance:
        """Each objective's standing at as_of, with breaches and credits of ended periods.

        ``min_log_position`` (e.g. a command's log_position) waits until the read models have
        caught up with it, so the report includes that command.
        """
        request = ledger_service_pb2.GetComplianceRequest(
            agreement_id=agreement_id,
            objective_id=objective_id,
            min_log_position=min_log_position,
            customer_id=customer_id,
            tier_id=tier_id,
        )
        if as_of is not None:
            request.as_of.CopyFrom(timestamp(as_of, "as_of"))
        if known_at is not None:
            request.known_at.CopyFrom(timestamp(known_at, "known_at"))
        return compliance(self.stub.GetCompliance(request))

    def list_agreements(
        self,
        *,
        customer_id: str = "",
        provider_id: str = "",
        service: str = "",
        status: str | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        min_log_position: int = 0,
        page_size: int = 0,
    ) -> Iterator[AgreementSummary]:
        """Every matching agreement, fetching pages as the iteration goes; min_log_position
        waits for the listing to include a write (a command's log_position)."""
        if min_log_position < 0:
            raise ValueError("min_log_position must be 0 or more")
        request = discovery_pb2.ListAgreementsRequest(
            customer_id=customer_id,
            provider_id=provider_id,
            service=service,
            min_log_position=min_log_position,
            page_size=_check_page_size(page_size),
        )
        if status is not None:
            number = enum_number(terms_pb2.AgreementStatus, status, "AGREEMENT_STATUS_")
            request.status = number  # type: ignore[assignment]
        if as_of is not None:
            request.as_of.CopyFrom(timestamp(as_of, "as_of"))
        if known_at is not None:
            request.known_at.CopyFrom(timestamp(known_at, "known_at"))
        while True:
            reply = self.stub.ListAgreements(request)
            yield from (summary(s) for s in reply.agreements)
            if not reply.next_page_token:
                return
            request.page_token = reply.next_page_token

    def list_events(
        self,
        agreement_id: str = "",
        *,
        event_types: Sequence[str] = (),
        page_size: int = 0,
    ) -> Iterator[events_pb2.LedgerEvent]:
        """The audit trail (of one agreement, or all), in log order, page after page."""
        request = ledger_service_pb2.ListEventsRequest(
            agreement_id=agreement_id,
            event_types=list(event_types),
            page_size=_check_page_size(page_size),
        )
        while True:
            reply = self.stub.ListEvents(request)
            yield from reply.events
            if not reply.next_page_token:
                return
            request.page_token = reply.next_page_token

    def list_credits(
        self,
        *,
        agreement_id: str = "",
        customer_id: str = "",
        currency: str = "",
        states: Sequence[str] = (),
        min_log_position: int = 0,
        page_size: int = 0,
    ) -> Iterator[Credit]:
        """The credit ledger's matching lines, page after page."""
        request = ledger_service_pb2.ListCreditsRequest(
            agreement_id=agreement_id,
            customer_id=customer_id,
            currency_code=currency,
            min_log_position=min_log_position,
            page_size=_check_page_size(page_size),
        )
        request.states.extend(
            enum_number(credit_states_pb2.CreditState, s, "CREDIT_STATE_")  # type: ignore[misc]
            for s in states
        )
        while True:
            reply = self.stub.ListCredits(request)
            yield from (credit(c) for c in reply.credits)
            if not reply.next_page_token:
                return
            request.page_token = reply.next_page_token

    def get_ledger_digest(self) -> Digest:
        """The head of the log's hash chain: keep it to check later that history did not change."""
        reply = self.stub.GetLedgerDigest(ledger_service_pb2.GetLedgerDigestRequest())
        return Digest(
            reply.digest.log_position,
            reply.digest.sha256_hex,
            optional_datetime(reply, "recorded_at"),
        )
