"""A reading without an id is identified by its objective and exact observed_at instant, for
every indicator: two readings a microsecond apart in one time slice are two readings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build

TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
AT = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
MONTH = terms_pb2.PERIOD_UNIT_MONTH
OBJECTIVES = {
    "ratio": terms_pb2.Objective(target_percent="99", indicator=terms_pb2.INDICATOR_RATIO),
    "time_slices": terms_pb2.Objective(
        target_percent="99", indicator=terms_pb2.INDICATOR_TIME_SLICES, slice_seconds=60
    ),
    "threshold": terms_pb2.Objective(
        target_percent="99",
        indicator=terms_pb2.INDICATOR_THRESHOLD,
        threshold=terms_pb2.Threshold(comparison=terms_pb2.COMPARISON_LTE, value="0.5"),
    ),
    "count_limit": terms_pb2.Objective(indicator=terms_pb2.INDICATOR_COUNT_LIMIT, limit=3),
    "cumulative": terms_pb2.Objective(
        indicator=terms_pb2.INDICATOR_CUMULATIVE, cumulative_target="10"
    ),
}


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str) -> Any:
    return ledger_service_pb2_grpc.LedgerServiceStub(start_server(sqlite_database_url).channel)


def _reading(kind: str, at: datetime) -> terms_pb2.Measurement:
    reading = terms_pb2.Measurement(objective_id=kind, observed_at=build.timestamp(at))
    if kind == "threshold":
        reading.sample = 0.25
    else:
        reading.counts.good, reading.counts.total = 1, 1
    return reading


@pytest.mark.parametrize("kind", OBJECTIVES)
def test_readings_without_ids_at_different_instants_of_one_slice_are_both_recorded(
    stub: Any, kind: str
) -> None:
    objective = terms_pb2.Objective(objective_id=kind, metric=kind, period=MONTH)
    objective.MergeFrom(OBJECTIVES[kind])
    stub.SignAgreement(
        build.sign_request("sla-1", START, START, time_zone="UTC", objectives=[objective]),
        timeout=TIMEOUT,
    )
    first, second = _reading(kind, AT), _reading(kind, AT + timedelta(microseconds=1))

    sent = stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id="sla-1", measurements=[first, second]),
        timeout=TIMEOUT,
    )
    again = stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id="sla-1", measurements=[first]),
        timeout=TIMEOUT,
    )

    assert (sent.recorded_count, sent.duplicate_count) == (2, 0)
    assert (again.recorded_count, again.duplicate_count) == (0, 1)
