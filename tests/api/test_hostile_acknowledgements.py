"""Hostile AcknowledgeExclusion calls against a real server: whatever their ids, customer,
expected version and request id, they never reach INTERNAL, and a refused one writes nothing.

sla-ack (customer globex) waits for acknowledgement of every exclusion recorded after its end
(acknowledgement_after_days 0), and one such exclusion, "late-1", awaits it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb
from service.generated.sla.ledger.v1 import exclusion_rules_pb2, ledger_service_pb2_grpc, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url
from tests.error_details import checked_code

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNIMPLEMENTED}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
texts = st.text(max_size=300) | st.sampled_from(["", "sla-ack", "late-1", "x" * 5000])


@pytest.fixture
def awaiting(stub: Stub) -> Stub:
    rules = exclusion_rules_pb2.ExclusionRules(acknowledgement_after_days=0)
    stub.SignAgreement(
        build.sign_request("sla-ack", START, START, exclusion_rules=rules), timeout=TIMEOUT
    )
    exclusion = terms_pb2.Exclusion(
        exclusion_id="late-1",
        start=build.timestamp(START + timedelta(days=1)),
        end=build.timestamp(START + timedelta(days=2)),
        kind=terms_pb2.EXCLUSION_KIND_OTHER,
        reason="recorded long after",
    )
    stub.RecordExclusion(
        pb.RecordExclusionRequest(agreement_id="sla-ack", exclusion=exclusion), timeout=TIMEOUT
    )
    return stub


@st.composite
def acknowledgements(draw: st.DrawFn) -> ack_pb.AcknowledgeExclusionRequest:
    request = ack_pb.AcknowledgeExclusionRequest(
        agreement_id=draw(st.sampled_from(["sla-ack", "nope", ""]) | texts),
        exclusion_id=draw(st.sampled_from(["late-1", "late-2", ""]) | texts),
        customer_id=draw(st.sampled_from(["", "globex", "initech"]) | texts),
        request_id=draw(st.sampled_from(["", "ack-1", "bad id!"]) | texts),
    )
    if draw(st.booleans()):
        request.expected_version = draw(
            st.sampled_from([0, 1, 2, 3, -1, 2**63 - 1, -(2**63)])
            | st.integers(-(2**63), 2**63 - 1)
        )
    return request


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    """The code the call ends with; a refusal must carry an ErrorInfo with a known reason."""
    return checked_code(call)


@FUZZ
@given(request=acknowledgements())
def test_hostile_acknowledgements_never_reach_internal_and_refused_ones_write_nothing(
    awaiting: Stub, request: ack_pb.AcknowledgeExclusionRequest
) -> None:
    before = awaiting.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest

    code = _code(lambda: awaiting.AcknowledgeExclusion(request, timeout=TIMEOUT))

    assert code not in NEVER
    if code is not grpc.StatusCode.OK:
        after = awaiting.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest
        assert after == before
