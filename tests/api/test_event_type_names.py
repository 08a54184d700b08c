"""SubscribeEvents names payload types as clients see them: the LedgerEvent oneof field names
(agreement_signed) or their proto3 JSON names (agreementSigned), in any mix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, ledger_service_pb2_grpc
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
Stub = ledger_service_pb2_grpc.LedgerServiceStub


@pytest.fixture
def head(stub: Stub) -> int:
    """Two agreements, each with a day of readings; the log position of the last event."""
    for agreement_id in ("sla-1", "sla-2"):
        stub.SignAgreement(build.sign_request(agreement_id, START, START), timeout=TIMEOUT)
        position: int = stub.RecordMeasurements(
            build.minute_readings(agreement_id, START + timedelta(days=1), 3), timeout=TIMEOUT
        ).log_position
    return position


def _payloads(stub: Stub, event_types: list[str], head: int) -> list[tuple[int, str]]:
    request = ledger_service_pb2.SubscribeEventsRequest(event_types=event_types)
    subscription = stub.SubscribeEvents(request, timeout=TIMEOUT)
    events: list[events_pb2.LedgerEvent] = []
    for response in subscription:
        events.extend(response.events)
        if response.log_position >= head:
            break
    subscription.cancel()
    return [(e.position, str(e.WhichOneof("payload"))) for e in events]


def test_json_names_select_the_same_events_as_field_names(stub: Stub, head: int) -> None:
    by_json_name = _payloads(stub, ["agreementSigned"], head)

    assert by_json_name == _payloads(stub, ["agreement_signed"], head)
    assert [payload for _, payload in by_json_name] == ["agreement_signed"] * 2


def test_json_names_and_field_names_mix_in_one_subscription(stub: Stub, head: int) -> None:
    mixed = _payloads(stub, ["metricMeasured", "agreement_signed"], head)

    assert [payload for _, payload in mixed] == ["agreement_signed", "metric_measured"] * 2


def test_a_name_in_neither_spelling_is_invalid_argument(stub: Stub) -> None:
    request = ledger_service_pb2.SubscribeEventsRequest(event_types=["AgreementSigned"])

    with pytest.raises(grpc.RpcError) as refused:
        next(stub.SubscribeEvents(request, timeout=TIMEOUT))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "event_types[0]" in (refused.value.details() or "")
