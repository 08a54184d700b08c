"""The standard gRPC health service of a running server."""

from __future__ import annotations

from typing import Any

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

RPC_TIMEOUT_SECONDS = 10


@pytest.mark.parametrize("service", ["", "sla.ledger.v1.LedgerService"])
def test_health_check_says_serving(server: Any, service: str) -> None:
    health = health_pb2_grpc.HealthStub(server.channel)

    response = health.Check(
        health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT_SECONDS
    )

    assert response.status == health_pb2.HealthCheckResponse.SERVING
