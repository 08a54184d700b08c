"""The exclusion methods of LedgerService: AcknowledgeExclusion; map, call, map."""

from __future__ import annotations

import grpc

from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from service.api.access import require_customer
from service.api.actor_context import as_caller
from service.api.auth import PermissionDeniedError
from service.api.call_groups import CallGroup
from service.api.command_replies import first_event
from service.api.mapping.scalars import position_from_proto
from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb
from service.store.command_requests import CommandRecord, CommandRequest


class ExclusionCalls(CallGroup):
    """The exclusion methods, mixed into LedgerServicer, which sets these attributes."""

    @as_caller
    def AcknowledgeExclusion(  # noqa: N802
        self, request: ack_pb.AcknowledgeExclusionRequest, context: grpc.ServicerContext
    ) -> ack_pb.AcknowledgeExclusionResponse:
        """The customer acknowledges an exclusion awaiting it; its touched closed periods are
        recalculated."""
        expected_version = _acknowledgement_input(request)
        self._require_acknowledger(request.agreement_id, request.customer_id)

        def carry_out(once: CommandRequest | None) -> ack_pb.AcknowledgeExclusionResponse:
            changed = self._app.exclusion_acknowledgements.acknowledge(
                request.agreement_id,
                request.exclusion_id,
                request.customer_id,
                expected_version=expected_version,
                request=once,
            )
            return ack_pb.AcknowledgeExclusionResponse(
                acknowledged=changed.changed,
                version=changed.version,
                log_position=changed.log_position,
                periods_recalculated=changed.periods_recalculated,
            )

        def replay(record: CommandRecord) -> ack_pb.AcknowledgeExclusionResponse:
            acknowledged = first_event(self._app, record)
            return ack_pb.AcknowledgeExclusionResponse(
                acknowledged=True,
                version=acknowledged.event.originator_version,
                log_position=record.last_position,
                periods_recalculated=record.request.outcome.get("periods", 0),
            )

        return self._once("AcknowledgeExclusion", request, carry_out, replay)

    def _require_acknowledger(self, agreement_id: str, customer_id: str) -> None:
        """A token limited to customers acknowledges for one of them only: the agreement's
        customer, or a subscriber of a service SLA that it names (customer_id)."""
        view = self._access.subscriber_view(agreement_id)
        if view is None:
            return
        require_customer(customer_id, "customer_id")
        if customer_id not in view:
            raise PermissionDeniedError(
                f"this token sees the subscriptions of {', '.join(sorted(view))} to "
                f"{agreement_id}; customer_id must name one of them"
            )


def _acknowledgement_input(request: ack_pb.AcknowledgeExclusionRequest) -> int | None:
    """The expected version of a request, after every check of its fields' shapes."""
    violations = Violations()
    if not is_identifier(request.agreement_id):
        violations.add("agreement_id", IDENTIFIER_RULE)
    if not is_identifier(request.exclusion_id):
        violations.add("exclusion_id", IDENTIFIER_RULE)
    if request.customer_id and not is_identifier(request.customer_id):
        violations.add("customer_id", IDENTIFIER_RULE)
    expected: int | None = None
    if request.HasField("expected_version"):
        expected = position_from_proto(
            request.expected_version, "expected_version", violations, least=1
        )
    violations.raise_if_any()
    return expected
