"""ListAgreements: the agreement directory's pages, cut by count and by bytes.

Every reading role may list; a token limited to customers names one of its customers in
customer_id (PERMISSION_DENIED otherwise, as ListCredits and ListDisputes), and so sees only
the agreements binding it.
"""

from __future__ import annotations

import grpc

from projections.read_models import ReadModels
from service.api.call_groups import CallGroup
from service.api.directory_inputs import agreement_listing
from service.api.mapping.directory import summary_to_proto
from service.api.read_waits import models_at
from service.app.application import Clock
from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.store.event_limits import item_bytes


class DirectoryCalls(CallGroup):
    """The directory methods, mixed into LedgerServicer, which sets these attributes."""

    _read_models: ReadModels | None
    _page_bytes: int
    _clock: Clock

    def ListAgreements(  # noqa: N802
        self, request: discovery_pb.ListAgreementsRequest, context: grpc.ServicerContext
    ) -> discovery_pb.ListAgreementsResponse:
        """A page of the agreements matching the filters at as_of, as known at known_at."""
        self._access.require_listing("", request.customer_id)
        listing = agreement_listing(request, self._clock())
        models = models_at(self._read_models, request.min_log_position, context)
        position, rows = models.list_agreements(
            listing.where,
            listing.as_of,
            listing.known_at,
            listing.position,
            listing.after,
            listing.size + 1,
        )
        reply = discovery_pb.ListAgreementsResponse(log_position=position)
        used = 0
        for summary in rows[: listing.size]:
            message = summary_to_proto(summary)
            cost = item_bytes(message.ByteSize())
            if reply.agreements and used + cost > self._page_bytes:
                break
            reply.agreements.append(message)
            used += cost
        shown = len(reply.agreements)
        if shown < len(rows):
            reply.next_page_token = listing.next_token(position, rows[shown - 1].agreement_id)
        return reply
