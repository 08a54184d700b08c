"""Server reflection answers in both versions, grpc.reflection.v1 and v1alpha."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

TIMEOUT = 10


@pytest.fixture
def server(start_server: Callable[..., Any], sqlite_database_url: str) -> Any:
    return start_server(sqlite_database_url)


def _ask(server: Any, version: str, request: Any) -> Any:
    """One reflection request over the version's method (the messages are the same on the wire)."""
    call = server.channel.stream_stream(
        f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    [response] = list(call(iter([request]), timeout=TIMEOUT))
    return response


@pytest.mark.parametrize("version", ["v1", "v1alpha"])
def test_reflection_lists_the_ledger_health_and_both_reflection_services(
    server: Any, version: str
) -> None:
    response = _ask(server, version, reflection_pb2.ServerReflectionRequest(list_services=""))

    assert {s.name for s in response.list_services_response.service} == {
        "sla.ledger.v1.LedgerService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    }


@pytest.mark.parametrize(
    "symbol", ["sla.ledger.v1.LedgerService", "grpc.reflection.v1.ServerReflection"]
)
def test_v1_reflection_describes_a_service(server: Any, symbol: str) -> None:
    response = _ask(
        server, "v1", reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol)
    )

    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in response.file_descriptor_response.file_descriptor_proto
    ]
    package, _, name = symbol.rpartition(".")
    assert any(f.package == package and name in {s.name for s in f.service} for f in files)
