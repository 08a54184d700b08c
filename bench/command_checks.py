"""Checks of the commands benchmark's replies and ledger after the timed calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grpc_health.v1 import health_pb2

from bench.command_requests import (
    CALL_TIMEOUT,
    SIGNED_VERSION,
    Amendments,
    close_request,
    target_after,
)
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc


def check_distinct_positions(positions: Sequence[int], what: str) -> None:
    """Every command appended at its own log positions, all after 0."""
    assert min(positions, default=1) > 0, f"{what}: a reply without a log position"
    assert len(set(positions)) == len(positions), f"{what}: replies share log positions"


def check_signings(exchanges: Sequence[tuple[pb.SignAgreementRequest, Any]]) -> None:
    """Each signing signed the agreement asked for, at version 1."""
    for request, reply in exchanges:
        agreement = reply.agreement
        assert agreement.agreement_id == request.agreement_id, (request, reply)
        assert agreement.version == SIGNED_VERSION and agreement.terms_version == 1, reply
    check_distinct_positions([reply.log_position for _, reply in exchanges], "SignAgreement")


def check_amendments(exchanges: Sequence[tuple[pb.AmendAgreementRequest, Any]]) -> None:
    """Each amendment moved its agreement one version and one terms version on."""
    for request, reply in exchanges:
        assert reply.version == request.expected_version + 1, (request, reply)
        assert reply.terms_version == reply.version, (request, reply)
    check_distinct_positions([reply.log_position for _, reply in exchanges], "AmendAgreement")


def check_closings(exchanges: Sequence[tuple[pb.ClosePeriodRequest, Any]]) -> None:
    """Each close appended January's PeriodClosed first, for the agreement asked for."""
    for request, reply in exchanges:
        assert reply.events, f"ClosePeriod of {request.agreement_id} appended nothing"
        closed = reply.events[0]
        assert closed.WhichOneof("payload") == "period_closed", reply
        assert closed.agreement_id == request.agreement_id, (request, reply)
        assert reply.log_position == reply.events[-1].position, reply
    check_distinct_positions(
        [event.position for _, reply in exchanges for event in reply.events], "ClosePeriod"
    )


def check_health(exchanges: Sequence[tuple[Any, Any]]) -> None:
    """Every health check answered SERVING."""
    serving = health_pb2.HealthCheckResponse.SERVING
    assert all(reply.status == serving for _, reply in exchanges), "not SERVING"


def check_ledger(
    stub: pb_grpc.LedgerServiceStub, amendments: Amendments, closed: Sequence[str]
) -> None:
    """Read back what the commands appended: every amended agreement's version and target,
    and a second close of some closed agreements appends nothing."""
    for agreement_id, made in amendments.made.items():
        agreement = stub.GetAgreement(
            pb.GetAgreementRequest(agreement_id=agreement_id), timeout=CALL_TIMEOUT
        ).agreement
        assert agreement.version == SIGNED_VERSION + made, (agreement_id, made, agreement)
        assert agreement.terms_version == 1 + made, (agreement_id, made, agreement)
        assert agreement.terms.objectives[0].target_percent == target_after(made), agreement
    for agreement_id in closed[:: max(1, len(closed) // 20)]:
        again = stub.ClosePeriod(close_request(agreement_id), timeout=CALL_TIMEOUT)
        assert not again.events, f"January of {agreement_id} was not closed"
