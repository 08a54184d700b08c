"""The typed commands: sign, amend, terminate, record readings and milestones, close periods."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from sla_ledger_client._generated.sla.ledger.v1 import (
    cases_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from sla_ledger_client.mapping import agreement
from sla_ledger_client.readings import ReadingColumns, requests
from sla_ledger_client.results import Changed, Closed, Recorded, Signed
from sla_ledger_client.values import timestamp

MAX_REQUEST_ID_CHARACTERS = 128


def _request_ids(request_id: str | None) -> Iterator[str]:
    """Ids for a command's calls: the caller's, then the caller's with ``.2``, ``.3``, ...

    Without one, a fresh uuid4 each. Each id is fixed before the call's first attempt, so its
    retries reuse it and the ledger records each call at most once.
    """
    if request_id is None:
        while True:
            yield uuid.uuid4().hex
    if not 1 <= len(request_id) <= MAX_REQUEST_ID_CHARACTERS:
        raise ValueError("request_id must be 1 to 128 characters")
    yield request_id
    number = 2
    while True:
        following = f"{request_id}.{number}"
        if len(following) > MAX_REQUEST_ID_CHARACTERS:
            raise ValueError("request_id too long to number the batches of this call")
        yield following
        number += 1


class Commands:
    """Typed commands over ``self.stub``; each reuses one request id across its retries."""

    stub: ledger_service_pb2_grpc.LedgerServiceStub
    max_message_bytes: int

    def sign_agreement(
        self,
        agreement_id: str,
        terms: terms_pb2.AgreementTerms,
        *,
        signed_at: datetime,
        request_id: str | None = None,
    ) -> Signed:
        """Sign a new agreement with its first terms."""
        reply = self.stub.SignAgreement(
            ledger_service_pb2.SignAgreementRequest(
                agreement_id=agreement_id,
                terms=terms,
                signed_at=timestamp(signed_at, "signed_at"),
                request_id=next(_request_ids(request_id)),
            )
        )
        return Signed(agreement(reply.agreement), reply.log_position)

    def amend_agreement(
        self,
        agreement_id: str,
        terms: terms_pb2.AgreementTerms,
        *,
        effective_from: datetime,
        reason: str = "",
        retroactive: bool = False,
        expected_version: int | None = None,
        request_id: str | None = None,
    ) -> Changed:
        """Replace an agreement's terms from effective_from on (Aborted when expected_version
        is stale: reason EXPECTED_VERSION_MISMATCH, not retried)."""
        request = ledger_service_pb2.AmendAgreementRequest(
            agreement_id=agreement_id,
            terms=terms,
            effective_from=timestamp(effective_from, "effective_from"),
            reason=reason,
            retroactive=retroactive,
            request_id=next(_request_ids(request_id)),
        )
        if expected_version is not None:
            request.expected_version = expected_version
        reply = self.stub.AmendAgreement(request)
        return Changed(reply.version, reply.terms_version, reply.log_position)

    def terminate_agreement(
        self,
        agreement_id: str,
        *,
        effective_at: datetime,
        reason: str = "",
        expected_version: int | None = None,
        request_id: str | None = None,
    ) -> Changed:
        """End an agreement at effective_at."""
        request = ledger_service_pb2.TerminateAgreementRequest(
            agreement_id=agreement_id,
            effective_at=timestamp(effective_at, "effective_at"),
            reason=reason,
            request_id=next(_request_ids(request_id)),
        )
        if expected_version is not None:
            request.expected_version = expected_version
        reply = self.stub.TerminateAgreement(request)
        return Changed(reply.version, 0, reply.log_position)

    def record_readings(
        self,
        agreement_id: str,
        objective_id: str,
        observed_at: Sequence[datetime],
        *,
        good: Sequence[int] | None = None,
        total: Sequence[int] | None = None,
        samples: Sequence[float | Decimal] | None = None,
        measurement_ids: Sequence[str] | None = None,
        request_id: str | None = None,
    ) -> Recorded:
        """Record readings of one objective in column form: counts (good and total) or samples.

        Any number of readings: they go in calls of at most 50,000 readings that fit the message
        limit, in order, each with its own request id (request_id, then request_id.2, ...). A
        failed call raises; the calls before it stay recorded, and sending the same readings
        again records only those missing (the rest count as duplicates).
        """
        columns = ReadingColumns(objective_id, observed_at, good, total, samples, measurement_ids)
        recorded = duplicates = late = position = calls = 0
        for request in requests(
            agreement_id,
            columns,
            max_message_bytes=self.max_message_bytes,
            request_ids=_request_ids(request_id),
        ):
            reply = self.stub.RecordMeasurements(request)
            recorded += reply.recorded_count
            duplicates += reply.duplicate_count
            late += reply.late_count
            position = max(position, reply.log_position)
            calls += 1
        return Recorded(recorded, duplicates, late, position, calls)

    def record_case_milestones(
        self,
        agreement_id: str,
        milestones: Sequence[cases_pb2.CaseMilestone],
        *,
        request_id: str | None = None,
    ) -> Recorded:
        """Record a batch of case milestones in one call (docs/cases.md)."""
        reply = self.stub.RecordCaseEvents(
            ledger_service_pb2.RecordCaseEventsRequest(
                agreement_id=agreement_id,
                milestones=milestones,
                request_id=next(_request_ids(request_id)),
            )
        )
        return Recorded(
            reply.recorded_count, reply.duplicate_count, reply.late_count, reply.log_position, 1
        )

    def close_period(
        self, agreement_id: str, *, until: datetime, request_id: str | None = None
    ) -> Closed:
        """Close the agreement's objective-periods that ended by until (more_due: call again)."""
        reply = self.stub.ClosePeriod(
            ledger_service_pb2.ClosePeriodRequest(
                agreement_id=agreement_id,
                until=timestamp(until, "until"),
                request_id=next(_request_ids(request_id)),
            )
        )
        return Closed(
            reply.closed_count,
            reply.appended_count,
            reply.log_position,
            reply.more_due,
            tuple(reply.events),
        )
