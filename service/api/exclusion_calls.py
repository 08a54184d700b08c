"""The exclusion methods of LedgerService: AcknowledgeExclusion; map, call, map."""

from __future__ import annotations

import grpc

from service.api.actor_context import as_caller
from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb


class ExclusionCalls:
    """The exclusion methods, mixed into LedgerServicer."""

    @as_caller
    def AcknowledgeExclusion(  # noqa: N802
        self, request: ack_pb.AcknowledgeExclusionRequest, context: grpc.ServicerContext
    ) -> ack_pb.AcknowledgeExclusionResponse:
        """Acknowledge an exclusion awaiting it (not served yet)."""
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "AcknowledgeExclusion is not served yet")
        raise AssertionError("abort raises")
