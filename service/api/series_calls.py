"""GetComplianceSeries: one objective's standing through one period, point by point; map, call,
map."""

from __future__ import annotations

import grpc

from projections.read_models import ReadModels
from service.api.actor_context import as_caller
from service.api.call_groups import CallGroup
from service.api.mapping.series import series_to_proto
from service.api.read_waits import log_at
from service.api.series_inputs import series_question
from service.api.subscription_inputs import check_service_subject
from service.app.application import Clock
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb


class SeriesCalls(CallGroup):
    """The compliance series method, mixed into LedgerServicer, which sets these attributes."""

    _clock: Clock
    _read_models: ReadModels | None

    @as_caller
    def GetComplianceSeries(  # noqa: N802
        self, request: series_pb.GetComplianceSeriesRequest, context: grpc.ServicerContext
    ) -> series_pb.GetComplianceSeriesResponse:
        """The series of an objective's period up to as_of, as known at known_at: of an
        agreement, or of a tier or a subscriber of a service SLA."""
        view = self._access.subscriber_view(request.agreement_id)
        question = series_question(request, self._clock())
        if view is not None:
            self._access.require_subscriber_subject(
                request.agreement_id, view, request.tier_id, request.customer_id
            )
        check_service_subject(
            self._app,
            request.agreement_id,
            request.tier_id,
            request.customer_id,
            required="tier_id",
        )
        log_at(self._app.event_log, request.min_log_position, context)
        series, position = self._app.series.series(question, self._read_models)
        return series_to_proto(series, position)
