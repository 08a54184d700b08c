"""Methods of issue 16 declared in proto/ and not yet served: each answers UNIMPLEMENTED until
its own call group replaces it (a placeholder while the work lands; removed when the last does)."""

from __future__ import annotations

from typing import NoReturn

import grpc

from service.api.call_groups import CallGroup
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb


def _not_yet(context: grpc.ServicerContext, method: str) -> NoReturn:
    context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not served yet")
    raise AssertionError("abort raises")


class PendingCalls(CallGroup):
    """The methods not yet served."""

    def GetComplianceSeries(  # noqa: N802
        self, request: series_pb.GetComplianceSeriesRequest, context: grpc.ServicerContext
    ) -> series_pb.GetComplianceSeriesResponse:
        """Not served yet."""
        _not_yet(context, "GetComplianceSeries")
