"""The ledger the browser tests look at holds the figures their checks are computed from."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests.api.server_process import ServerProcess
from tests.browser import seeded_ledger as ledger
from tests.browser.seeded_ledger import SeededLedger

ADMIN = (("authorization", f"Bearer {ledger.token('admin')}"),)


def _deployments(
    server: ServerProcess, known_at: datetime | None = None
) -> pb.GetComplianceResponse:
    request = pb.GetComplianceRequest(agreement_id=ledger.AGREEMENT, objective_id="deployments")
    request.as_of.FromDatetime(ledger.MONTH_END - timedelta(microseconds=1))
    if known_at is not None:
        request.known_at.FromDatetime(known_at)
    stub = pb_grpc.LedgerServiceStub(server.channel)
    reply: pb.GetComplianceResponse = stub.GetCompliance(request, timeout=10, metadata=ADMIN)
    return reply


def test_the_hand_computed_march_total_is_what_the_ledger_counts(
    ledger_server: ServerProcess, seeded: SeededLedger
) -> None:
    [objective] = _deployments(ledger_server).report.objectives
    [track] = objective.tracks

    assert Decimal(track.good) == ledger.cumulative_deployments(31) == Decimal(316)


def test_before_the_late_reading_the_ledger_knew_seven_deployments_fewer(
    ledger_server: ServerProcess, seeded: SeededLedger
) -> None:
    [objective] = _deployments(ledger_server, seeded.known_before_late).report.objectives
    [track] = objective.tracks

    assert Decimal(track.good) == ledger.cumulative_deployments(31, with_late=False) == 309
