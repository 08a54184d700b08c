"""Valid requests of the discovery and history reads (ListAgreements, ListPeriodResults,
GetComplianceSeries), each field set, for the extremes walk of test_hostile_extremes.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb
from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build


def discovery_bases(agreement_id: str, start: datetime, now: datetime) -> dict[str, Message]:
    """The three reads of an agreement whose months from start are closed, as of now."""
    return {
        "ListAgreements": discovery_pb.ListAgreementsRequest(
            customer_id="globex",
            provider_id="acme",
            service="api",
            kind=terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
            status=terms_pb2.AGREEMENT_STATUS_ACTIVE,
            as_of=build.timestamp(now),
            known_at=build.timestamp(now),
            page_size=10,
            min_log_position=1,
        ),
        "ListPeriodResults": history_pb.ListPeriodResultsRequest(
            agreement_id=agreement_id,
            customer_id="globex",
            objective_id="availability",
            known_at=build.timestamp(now),
            window_start_from=build.timestamp(start),
            window_start_to=build.timestamp(now),
            page_size=10,
            min_log_position=1,
        ),
        "GetComplianceSeries": series_pb.GetComplianceSeriesRequest(
            agreement_id=agreement_id,
            objective_id="availability",
            period_at=build.timestamp(now - timedelta(days=1)),
            as_of=build.timestamp(now),
            known_at=build.timestamp(now + timedelta(days=1)),  # after the fixture's writes
            step=series_pb.SERIES_STEP_DAY,
            min_log_position=1,
        ),
    }
