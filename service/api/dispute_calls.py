"""The dispute methods of LedgerService: OpenDispute, ResolveDispute, GetDispute, ListDisputes.

Who may: the customer role opens (auth.CUSTOMER_ACTIONS), the provider role resolves
(auth.PROVIDER_DECISIONS), every reader reads. A token limited to customers acts on its own
customers' agreements only, and on a service SLA for its subscribers' periods and exclusions only
(the subject's customer_id must be one of them); it lists its own customers' disputes.
"""

from __future__ import annotations

from typing import TypeVar

import grpc
from sqlalchemy import Engine

from domain.disputes import DisputeRecord
from projections.dispute_views import list_disputes, open_dispute_ids
from projections.read_models import ReadModels
from service.api.actor_context import as_caller
from service.api.auth import PermissionDeniedError
from service.api.call_groups import CallGroup
from service.api.dispute_inputs import (
    check_get_request,
    dispute_listing,
    opening_from_proto,
    resolving_from_proto,
)
from service.api.mapping.disputes import dispute_to_proto
from service.api.read_waits import log_at, models_at
from service.app.disputes import Resolution
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord, CommandRequest


class DisputeCalls(CallGroup):
    """The dispute methods, mixed into LedgerServicer, which sets these attributes."""

    _read_models: ReadModels | None
    _page_bytes: int

    @as_caller
    def OpenDispute(  # noqa: N802
        self, request: dpb.OpenDisputeRequest, context: grpc.ServicerContext
    ) -> dpb.OpenDisputeResponse:
        """Open a dispute about a period result, an exclusion or a denied claim."""
        self._require_subject_customer(request.agreement_id, request.subject.customer_id)
        subject = opening_from_proto(request)

        def carry_out(once: CommandRequest | None) -> dpb.OpenDisputeResponse:
            record = self._app.disputes.open(
                request.agreement_id,
                request.dispute_id,
                subject,
                request.reason,
                request.evidence,
                request=once,
            )
            return dpb.OpenDisputeResponse(
                dispute=dispute_to_proto(record), log_position=record.opened_position
            )

        def replay(record: CommandRecord) -> dpb.OpenDisputeResponse:
            dispute, position = self._app.disputes.carried_out(record)
            return dpb.OpenDisputeResponse(dispute=dispute_to_proto(dispute), log_position=position)

        return self._once("OpenDispute", request, carry_out, replay)

    @as_caller
    def ResolveDispute(  # noqa: N802
        self, request: dpb.ResolveDisputeRequest, context: grpc.ServicerContext
    ) -> dpb.ResolveDisputeResponse:
        """Resolve an open dispute, upheld or rejected, and append what that implies."""
        resolving = resolving_from_proto(request)
        self._require_dispute(request.agreement_id, request.dispute_id)

        def carry_out(once: CommandRequest | None) -> dpb.ResolveDisputeResponse:
            return _resolved(
                self._app.disputes.resolve(
                    request.agreement_id,
                    request.dispute_id,
                    resolving.outcome,
                    request.reason,
                    expected_version=resolving.expected_version,
                    request=once,
                )
            )

        def replay(record: CommandRecord) -> dpb.ResolveDisputeResponse:
            dispute, first = self._app.disputes.carried_out(record)
            count = record.appended_count or record.last_position - first + 1
            return _resolved(Resolution(dispute, first, record.last_position, count))

        return self._once("ResolveDispute", request, carry_out, replay)

    def GetDispute(  # noqa: N802
        self, request: dpb.GetDisputeRequest, context: grpc.ServicerContext
    ) -> dpb.GetDisputeResponse:
        """One dispute as recorded now."""
        check_get_request(request)
        log_at(self._app.event_log, request.min_log_position, context)
        head = self._app.event_log.head()
        record = self._require_dispute(request.agreement_id, request.dispute_id)
        return dpb.GetDisputeResponse(dispute=dispute_to_proto(record), log_position=head)

    def ListDisputes(  # noqa: N802
        self, request: dpb.ListDisputesRequest, context: grpc.ServicerContext
    ) -> dpb.ListDisputesResponse:
        """A page of disputes in the order they were opened, cut by count and by bytes."""
        self._access.require_listing(request.agreement_id, request.customer_id)
        listing = dispute_listing(request)
        models = models_at(self._read_models, request.min_log_position, context)
        position = models.position()
        rows = list_disputes(
            models.engine,
            request.agreement_id,
            request.customer_id,
            listing.state,
            listing.after,
            listing.size,
        )
        reply = dpb.ListDisputesResponse(log_position=position)
        for row in rows:
            message = dispute_to_proto(row)
            if reply.disputes and reply.ByteSize() + message.ByteSize() + 8 > self._page_bytes:
                break
            reply.disputes.append(message)
        shown = len(reply.disputes)
        if shown and (shown < len(rows) or len(rows) == listing.size):
            reply.next_page_token = listing.next_token(rows[shown - 1].opened_position)
        return reply

    def _require_subject_customer(self, agreement_id: str, customer_id: str) -> None:
        """NOT_FOUND for an agreement the caller may not see; PERMISSION_DENIED when a caller
        that sees a service SLA only through its subscribers names another customer."""
        view = self._access.subscriber_view(agreement_id)
        if view is not None and customer_id not in view:
            raise PermissionDeniedError(
                f"this token acts on {agreement_id} for {', '.join(sorted(view))} only; "
                "subject.customer_id must name one of them"
            )

    def _require_dispute(self, agreement_id: str, dispute_id: str) -> DisputeRecord:
        """The dispute, once the caller may see it (NOT_FOUND otherwise, as for an unknown
        agreement or dispute)."""
        view = self._access.subscriber_view(agreement_id)
        record = self._app.disputes.get(agreement_id, dispute_id)
        if view is not None and record.subject.customer_id not in view:
            self._app.disputes.get(agreement_id, "")  # the same refusal as an unknown dispute
        return record


Listed = TypeVar("Listed", pb.BreachRecord, pb.CreditRecord)


def with_open_disputes(engine: Engine, records: list[Listed]) -> list[Listed]:
    """The records of a breaches or credits page, each naming its period's open disputes."""
    found = open_dispute_ids(
        engine, {(r.agreement_id, r.objective_id, r.period_label, r.customer_id) for r in records}
    )
    for r in records:
        r.open_dispute_ids.extend(
            found.get((r.agreement_id, r.objective_id, r.period_label, r.customer_id), ())
        )
    return records


def _resolved(resolution: Resolution) -> dpb.ResolveDisputeResponse:
    return dpb.ResolveDisputeResponse(
        dispute=dispute_to_proto(resolution.dispute),
        log_position=resolution.last_position,
        first_position=resolution.first_position,
        appended_count=resolution.appended_count,
    )
