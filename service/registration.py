"""Registering LedgerService so that an undecodable request is INVALID_ARGUMENT, not INTERNAL.

grpcio answers a request its deserializer cannot parse with INTERNAL; a malformed message is a
client's mistake, so the ledger decodes requests itself and refuses such calls as bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message

from service.generated.sla.ledger.v1 import ledger_service_pb2

UNDECODABLE = "the request is not a valid protobuf message of its type"


class _Undecodable:
    """Stands for a request that could not be parsed."""


def add_ledger_service(servicer: Any, server: grpc.Server) -> None:
    """Register every LedgerService method of servicer on server."""
    service = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"]
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in service.methods:
        request_class: type[Message] = getattr(ledger_service_pb2, method.input_type.name)
        response_class: type[Message] = getattr(ledger_service_pb2, method.output_type.name)
        behavior = getattr(servicer, method.name)
        if method.server_streaming:
            handlers[method.name] = grpc.unary_stream_rpc_method_handler(
                _guarded_stream(behavior),
                request_deserializer=_decoder(request_class),
                response_serializer=response_class.SerializeToString,
            )
        else:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(
                _guarded(behavior),
                request_deserializer=_decoder(request_class),
                response_serializer=response_class.SerializeToString,
            )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(service.full_name, handlers),)
    )


def _decoder(request_class: type[Message]) -> Callable[[bytes], Any]:
    def decode(data: bytes) -> Any:
        try:
            return request_class.FromString(data)
        except DecodeError:
            return _Undecodable()

    return decode


def _guarded(behavior: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
    def run(request: Any, context: grpc.ServicerContext) -> Any:
        if isinstance(request, _Undecodable):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, UNDECODABLE)
        return behavior(request, context)

    return run


def _guarded_stream(
    behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]],
) -> Callable[..., Iterator[Any]]:
    def run(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        if isinstance(request, _Undecodable):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, UNDECODABLE)
        yield from behavior(request, context)

    return run
